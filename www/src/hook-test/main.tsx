// A page for the hook's e2e test: mounts useResilientSocket under StrictMode
// and lets the test mount, unmount, hide (`<Activity>`), re-render and change
// options.
import "./track-sockets";
import "./expose-package";
import { Activity, Component, StrictMode, startTransition, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { defaultSocketUrl } from "../lib/config";
import { HookProbe } from "./HookProbe";

/** Shows what the probe threw (an effect's error unmounts it). */
class ProbeBoundary extends Component<{ children: ReactNode }, { error: string | null }> {
  state = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  render() {
    return this.state.error === null ? this.props.children : <p data-testid="probe-error">{this.state.error}</p>;
  }
}

function Harness() {
  const params = new URLSearchParams(location.search);
  const id = params.get("id") ?? "hook-test";
  const noQueue = params.get("queue") === "0";
  // `hang=1`: the fault server never completes the handshake, so sends queue.
  const hang = params.get("hang") === "1";
  // `quiet=1`: the probe never reads `lastMessage`.
  const quiet = params.get("quiet") === "1";
  // `invalid=1`: an option the socket refuses, so the hook's effect throws;
  // `invalid=revoked`: options holding a revoked Proxy.
  const invalid = params.get("invalid") === "revoked" ? "revoked" : params.get("invalid") === "1";
  // `replay=1`: the probe sets replay state in an effect keyed on `socket`.
  const replay = params.get("replay") === "1";
  // `layout=1`: a child of the probe also sends from a layout effect.
  const layoutSender = params.get("layout") === "1";
  // `nourl=1`: the probe's url is null until the "give url" button.
  const noUrl = params.get("nourl") === "1";
  // `dropOldest=N`: queue.maxMessages N with overflow "dropOldest".
  const dropOldest = params.get("dropOldest");
  const [urlGiven, setUrlGiven] = useState(!noUrl);
  const [mounted, setMounted] = useState(false);
  // Hidden: the probe stays mounted inside `<Activity mode="hidden">`.
  const [hidden, setHidden] = useState(false);
  const [variant, setVariant] = useState(1);
  const [, setTick] = useState(0);
  return (
    <main>
      <h1>useResilientSocket under StrictMode</h1>
      <button type="button" data-testid="mount" disabled={mounted} onClick={() => setMounted(true)}>
        mount
      </button>
      <button type="button" data-testid="unmount" disabled={!mounted} onClick={() => setMounted(false)}>
        unmount
      </button>
      <button type="button" data-testid="rerender" onClick={() => setTick((t) => t + 1)}>
        re-render (same options)
      </button>
      <button type="button" data-testid="change-options" onClick={() => setVariant((v) => v + 1)}>
        change options
      </button>
      <button type="button" data-testid="toggle-hidden" onClick={() => setHidden((h) => !h)}>
        {hidden ? "show" : "hide"} (Activity)
      </button>
      <button
        type="button"
        data-testid="toggle-hidden-transition"
        onClick={() => startTransition(() => setHidden((h) => !h))}
      >
        {hidden ? "show" : "hide"} (Activity, in a transition)
      </button>
      <button type="button" data-testid="give-url" disabled={urlGiven} onClick={() => setUrlGiven(true)}>
        give url
      </button>
      <p data-testid="mounted">{mounted ? "mounted" : "unmounted"}</p>
      {mounted && (
        <Activity mode={hidden ? "hidden" : "visible"}>
          <ProbeBoundary>
            <HookProbe
              url={urlGiven ? defaultSocketUrl(id) + (hang ? "?hang=1" : "") : null}
              variant={variant}
              noQueue={noQueue}
              dropOldestOver={dropOldest === null ? undefined : Number(dropOldest)}
              quiet={quiet}
              invalid={invalid}
              replay={replay}
              layoutSender={layoutSender}
            />
          </ProbeBoundary>
        </Activity>
      )}
    </main>
  );
}

const root = document.getElementById("root");
if (!root) throw new Error("hook-test.html has no #root");
createRoot(root).render(
  <StrictMode>
    <Harness />
  </StrictMode>,
);
