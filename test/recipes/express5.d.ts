// Express 5 is installed as the dev dependency alias `express5` (npm:express@5), without types of
// its own: the recipe uses only what both majors share, so Express 4's types describe it.
declare module "express5" {
  import express from "express";
  export default express;
}
