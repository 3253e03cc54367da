// The relative link and image targets of a Markdown text, outside fenced
// code (``` or ~~~) and inline code: what a registry's README page cannot
// follow.

const LINK = /!?\[[^\]]*\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g;
const ABSOLUTE = /^([a-z][a-z0-9+.-]*:|#)/i;

/** Each relative target, in order (reference definitions included). */
export function relativeLinks(markdown) {
  const found = [];
  let fence = null;
  for (const line of markdown.split("\n")) {
    const marker = /^ {0,3}(```|~~~)/.exec(line);
    if (fence === null && marker) {
      fence = marker[1];
      continue;
    }
    if (fence !== null) {
      if (line.trimStart().startsWith(fence)) fence = null;
      continue;
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (definition) found.push(definition[1]);
    // Inline code spans (odd pieces between backticks) are not links.
    line.split("`").forEach((piece, k) => {
      if (k % 2 === 0) for (const m of piece.matchAll(LINK)) found.push(m[1]);
    });
  }
  return found.filter((target) => !ABSOLUTE.test(target));
}
