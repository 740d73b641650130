// Hooks of the async demo: served as a file, since the page's CSP (script-src 'self') refuses
// inline script.
(window.LiveTemplate = window.LiveTemplate || { hooks: {} }).hooks.Suggest = {
  mounted() {
    const list = document.getElementById("suggestions");
    // Ask the server for words as the user types; the promise resolves with ctx.reply's value.
    this.el.addEventListener("input", () => {
      this.pushEvent("suggest", { q: this.el.value }).then((words) => {
        list.replaceChildren(...words.map((w) => Object.assign(document.createElement("li"), { textContent: w })));
      });
    });
    // Events the server pushes (ctx.pushEvent) reach hooks by name...
    this.handleEvent("report-ready", (p) => {
      document.getElementById("toast").textContent = `Report ready (${p.length} characters)`;
    });
  },
};
// ...and window as lvt:<name>.
window.addEventListener("lvt:report-ready", (e) => console.log("report ready", e.detail));
