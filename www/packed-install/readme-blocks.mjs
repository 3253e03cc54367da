// README.md's ```ts and ```tsx blocks as files a TypeScript project can
// check, and tsc's messages about them mapped back to README lines.

/**
 * Every ```ts / ```tsx block of `markdown`: `{ lang, line, code, file }`,
 * `line` being the README line of the block's first code line. A block
 * whose first line is a file-name comment (`// vite.config.ts`) keeps that
 * name in `file`; the others are `README-line-<N>.<lang>`.
 */
export function readmeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|tsx)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: \`\`\`${open[1]} block is never closed`);
    const code = lines.slice(start, end).join("\n");
    const named = /^\/\/ ([\w.-]+\.tsx?)\s*$/.exec(lines[start] ?? "");
    blocks.push({ lang: open[1], line: start + 1, code, file: named ? named[1] : `README-line-${start + 1}.${open[1]}` });
    i = end;
  }
  return blocks;
}

/** Whether a block is a tool's config (vite.config.ts), checked with Node's types, not the browser's. */
export const isConfigBlock = (block) => /\.config\.tsx?$/.test(block.file);

/**
 * The block as a file: its code unchanged, plus `export {}` so that every
 * block is a module (own scope, top-level await allowed) even without an
 * import. Lines keep their numbers.
 */
export function blockSource(block) {
  return `${block.code}\nexport {};\n`;
}

/** Rewrites `README-line-38.ts(5,3)` in tsc output as `README.md:42:3`. */
export function toReadmeLines(output, blocks) {
  return output.replace(/(?:[\w./-]*\/)?([\w.-]+\.tsx?)\((\d+),(\d+)\)/g, (whole, file, row, col) => {
    const block = blocks.find((b) => b.file === file);
    return block ? `README.md:${block.line + Number(row) - 1}:${col} (${file})` : whole;
  });
}
