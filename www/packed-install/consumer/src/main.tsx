// The page the packed-install test opens: /?ws=<fault server ws://host:port>&id=<client id>.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

const params = new URLSearchParams(location.search);
const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App server={params.get("ws")} id={params.get("id") ?? "consumer"} />
  </StrictMode>,
);
