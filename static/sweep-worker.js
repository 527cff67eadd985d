// Loader for the sweep Web Worker (the `sweep_worker` bin, built by trunk as a
// no-modules worker next to index.html). Paths are relative to this file, so the
// site works under any sub-path.
importScripts("../sweep_worker.js");
wasm_bindgen("../sweep_worker_bg.wasm");
