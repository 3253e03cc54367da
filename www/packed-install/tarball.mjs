// What `npm pack` put in the tarball, against what the package's
// package.json promises and what its files need.
import { execFile } from "node:child_process";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { promisify } from "node:util";

const execFileP = promisify(execFile);

/** The tarball's file paths, relative to the package root (`package/` stripped), sorted. */
export async function tarballFiles(tgz) {
  const { stdout } = await execFileP("tar", ["-tzf", tgz]);
  return stdout
    .split("\n")
    .filter((p) => p && !p.endsWith("/"))
    .map((p) => p.replace(/^package\//, ""))
    .sort();
}

async function walk(dir, rel) {
  const out = [];
  for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = posix.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(dir, path)));
    else out.push(path);
  }
  return out;
}

/**
 * The files `pkgDir`'s package.json "files" promises (each entry a file or a
 * directory, expanded), plus what npm always packs: package.json, README,
 * LICENSE. Sorted.
 */
export async function promisedFiles(pkgDir) {
  const pj = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
  if (!Array.isArray(pj.files)) throw new Error(`${pkgDir}/package.json has no "files" list`);
  const files = new Set(["package.json"]);
  for (const entry of pj.files) {
    if (/[*?[\]{}!]/.test(entry)) throw new Error(`"files" entry ${entry}: globs are not expanded by this check`);
    const path = entry.replace(/^\.\//, "").replace(/\/$/, "");
    const info = await stat(join(pkgDir, path)).catch(() => null);
    if (info === null) throw new Error(`"files" lists ${entry}, which ${pkgDir} does not have`);
    for (const f of info.isDirectory() ? await walk(pkgDir, path) : [path]) files.add(f);
  }
  for (const name of await readdir(pkgDir)) {
    if (/^(readme|license|licence)(\..*)?$/i.test(name)) files.add(name);
  }
  return [...files].sort();
}

/**
 * What the package's own files need, as package paths: "main", "types",
 * every "exports" target, and every relative import of a packed .js file or
 * .wasm module (wasm-bindgen's snippets are imported by the .wasm).
 * `read(path)` returns a packed file's bytes.
 */
export async function neededFiles(pj, packed, read) {
  const needed = new Map(); // path -> who needs it
  const need = (path, by) => needed.set(posix.normalize(path.replace(/^\.\//, "")), by);
  if (pj.main) need(pj.main, '"main"');
  if (pj.types) need(pj.types, '"types"');
  const targets = (value, key) =>
    typeof value === "string"
      ? need(value, `"exports" ${key}`)
      : Object.values(value ?? {}).forEach((v) => targets(v, key));
  for (const [key, value] of Object.entries(pj.exports ?? {})) targets(value, key);
  for (const file of packed) {
    let imports = [];
    if (file.endsWith(".js")) {
      const text = (await read(file)).toString("utf8");
      imports = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
    } else if (file.endsWith(".wasm")) {
      const module = await WebAssembly.compile(await read(file));
      imports = WebAssembly.Module.imports(module).map((i) => i.module);
    }
    for (const spec of new Set(imports.filter((m) => /^\.{1,2}\//.test(m)))) {
      need(posix.join(posix.dirname(file), spec), `imported by ${file}`);
    }
  }
  return needed;
}
