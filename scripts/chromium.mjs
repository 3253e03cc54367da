// Debian's Chromium for every headless run in this repo (bench, soak, www
// e2e): never a browser downloaded by a test tool.

/** The browser binary; `CHROMIUM_PATH` (or `CHROMIUM`) overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? process.env.CHROMIUM ?? "/usr/bin/chromium";

/**
 * Flags every run needs on these machines, besides its headless flag: no
 * sandbox (tests run as root), no GPU, no /dev/shm, and no background
 * networking, component updates or sync (the closed network refuses them).
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
