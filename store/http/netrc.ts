/**
 * `~/.netrc` credentials (the format curl, pip and uv read): `machine HOST login USER password
 * PASS`, a `default` entry, and `macdef` blocks that are skipped.
 *
 * @module
 */

/** Credentials for one machine. */
export interface NetrcEntry {
  /** The user name. */
  login: string;
  /** The password (or token). */
  password: string;
  /** The `account` token, when given (unused by HTTP). */
  account?: string;
}

/** A parsed netrc file. */
export interface Netrc {
  /** Entries by lower-cased host name. */
  machines: Map<string, NetrcEntry>;
  /** The `default` entry, for any other host. */
  default: NetrcEntry | null;
}

/** Splits netrc text into tokens; double-quoted tokens may hold spaces (`\"` escapes a quote). */
function tokenize(text: string): { token: string; line: number }[] {
  const tokens: { token: string; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      if (c === " " || c === "\t") {
        i++;
      } else if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) {
        break; // a comment runs to the end of the line
      } else if (c === '"') {
        let token = "";
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && i + 1 < line.length) i++;
          token += line[i++];
        }
        i++;
        tokens.push({ token, line: ln });
      } else {
        let token = "";
        while (i < line.length && line[i] !== " " && line[i] !== "\t") token += line[i++];
        tokens.push({ token, line: ln });
      }
    }
    if (line.trim() === "") tokens.push({ token: "", line: ln }); // marks the end of a macdef
  }
  return tokens;
}

/** Parses netrc text. Unknown tokens are ignored; the first entry for a machine wins. */
export function parseNetrc(text: string): Netrc {
  const result: Netrc = { machines: new Map(), default: null };
  const tokens = tokenize(text);
  let current: { host: string | null; entry: Partial<NetrcEntry> } | null = null;
  const flush = () => {
    const done = current;
    current = null;
    if (!done || (done.entry.login === undefined && done.entry.password === undefined)) return;
    const entry: NetrcEntry = {
      login: done.entry.login ?? "",
      password: done.entry.password ?? "",
    };
    if (done.entry.account !== undefined) entry.account = done.entry.account;
    if (done.host === null) result.default ??= entry;
    else if (!result.machines.has(done.host)) result.machines.set(done.host, entry);
  };
  for (let i = 0; i < tokens.length; i++) {
    const { token } = tokens[i];
    if (token === "") continue;
    if (token === "machine") {
      flush();
      const host = tokens[++i]?.token;
      if (host) current = { host: host.toLowerCase(), entry: {} };
    } else if (token === "default") {
      flush();
      current = { host: null, entry: {} };
    } else if (token === "macdef") {
      flush();
      // A macro body runs to the next empty line.
      const startLine = tokens[i].line;
      while (
        i + 1 < tokens.length && !(tokens[i + 1].token === "" && tokens[i + 1].line > startLine)
      ) i++;
    } else if (current && (token === "login" || token === "password" || token === "account")) {
      const value = tokens[++i]?.token;
      if (value !== undefined) current.entry[token] = value;
    }
  }
  flush();
  return result;
}

/** The entry for `hostname` (case-insensitive), else the `default` entry, else null. */
export function netrcLookup(netrc: Netrc, hostname: string): NetrcEntry | null {
  return netrc.machines.get(hostname.toLowerCase()) ?? netrc.default;
}

/**
 * The netrc path to read: `$NETRC`, else `~/.netrc` (`_netrc` is not looked for: envknit targets
 * POSIX systems first).
 */
export function netrcPath(env: Record<string, string | undefined>): string | null {
  if (env.NETRC) return env.NETRC;
  const home = env.HOME || env.USERPROFILE;
  return home ? `${home.replace(/\/+$/, "")}/.netrc` : null;
}

/** Reads and parses a netrc file; a missing or unreadable file gives null. */
export async function loadNetrc(path: string | null): Promise<Netrc | null> {
  if (!path) return null;
  try {
    return parseNetrc(await Deno.readTextFile(path));
  } catch {
    return null;
  }
}
