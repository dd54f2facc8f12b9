/**
 * A small command-line parser: long options (`--name value`, `--name=value`), short flags (`-q`),
 * repeatable options, positionals, and `--` after which everything is passed through untouched.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { didYouMean } from "../core/suggest.ts";

/** How one option is read. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `index-url`. */
  name: string;
  /** One-letter alias without the dash, e.g. `q`. */
  short?: string;
  /** `boolean` takes no value; `string` takes one; `list` may be repeated and collects values. */
  kind: "boolean" | "string" | "list";
  /** Placeholder shown in help, e.g. `URL`. */
  value?: string;
  description: string;
}

/** The result of parsing: option values by long name, positionals, and what followed `--`. */
export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Arguments after a literal `--`, or `undefined` when there was none. */
  passthrough?: string[];
}

/**
 * Parses `argv` against `specs`. Unknown options and missing values are usage errors (exit 2).
 * Options may appear before or after positionals; `--` ends option parsing.
 */
export function parseArgs(argv: string[], specs: OptionSpec[]): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const options: ParsedArgs["options"] = {};
  const positionals: string[] = [];
  let passthrough: string[] | undefined;

  const set = (spec: OptionSpec, value: string | boolean) => {
    if (spec.kind === "list") {
      const list = (options[spec.name] as string[] | undefined) ?? [];
      list.push(value as string);
      options[spec.name] = list;
    } else {
      options[spec.name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      passthrough = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) {
        throw new UsageError(`unknown option '--${name}'${didYouMean(name, byLong.keys(), "--")}`, {
          hints: ["see --help"],
        });
      }
      if (spec.kind === "boolean") {
        if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`);
        set(spec, true);
      } else {
        const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option '--${name}' needs a value`);
        set(spec, value);
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      // Grouped short flags (-qv); a short option with a value takes the rest or the next arg.
      for (let j = 1; j < arg.length; j++) {
        const spec = byShort.get(arg[j]);
        if (!spec) throw new UsageError(`unknown option '-${arg[j]}'`, { hints: ["see --help"] });
        if (spec.kind === "boolean") {
          set(spec, true);
        } else {
          const rest = arg.slice(j + 1);
          const value = rest !== "" ? rest : argv[++i];
          if (value === undefined) throw new UsageError(`option '-${arg[j]}' needs a value`);
          set(spec, value);
          break;
        }
      }
    } else {
      positionals.push(arg);
    }
  }
  return { options, positionals, passthrough };
}

/** Formats option specs as aligned help lines. */
export function formatOptions(specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const flag = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${
      s.value ? ` <${s.value}>` : ""
    }`;
    return [flag, s.description] as const;
  });
  const width = Math.max(0, ...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join("\n");
}
