/**
 * `lvt`: the livetemplate command line. Each command lives in its own file; this one picks the
 * command, prints usage, and turns errors into messages and exit codes (2 for usage mistakes).
 */
import { UsageError } from "./args.js";
import { runNew, NEW_USAGE } from "./new-project.js";
import { runGen, GEN_USAGE } from "./gen.js";
import { runServe, SERVE_USAGE } from "./serve.js";
import { runCheck, CHECK_USAGE } from "./check.js";
import { packageVersion } from "./version.js";

const USAGE = `Usage: lvt COMMAND [options]

Commands:
  new NAME                 create a project in ./NAME
  gen page NAME            add a page (template, store, test, route)
  gen resource NAME f:t... add a CRUD page for a resource (in memory or --db sqlite)
  serve                    run the app, reloading on change (the project's \`npm run dev\`)
  check [DIR]              parse every template under DIR (default: src), report errors

Run \`lvt COMMAND --help\` for a command's options. Version ${packageVersion()}.`;

const usages: Record<string, string> = { new: NEW_USAGE, gen: GEN_USAGE, serve: SERVE_USAGE, check: CHECK_USAGE };

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], cwd = process.cwd()): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string): void => console.log(line);
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
      case "help":
        out(USAGE);
        return 0;
      case "-v":
      case "--version":
        out(packageVersion());
        return 0;
      case "new":
        return runNew(rest, cwd, out);
      case "gen":
      case "generate":
        return runGen(rest, cwd, out);
      case "serve":
      case "dev":
        return await runServe(rest, cwd, out);
      case "check":
        return runCheck(rest, cwd, out);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`lvt: ${err.message}\n`);
      const usage = command !== undefined ? usages[command === "generate" ? "gen" : command] : undefined;
      console.error(usage ?? USAGE);
      return 2;
    }
    console.error(`lvt: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
