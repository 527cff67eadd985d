// Loader for the sweep Web Worker: the app's own wasm, instantiated off the main thread
// (its `main` finds no window and serves sweeps; see src/ui/worker.rs). GLUE is the
// app's wasm-bindgen glue, next to index.html; scripts/worker-glue.mjs (a trunk
// post_build hook) writes its hashed file name in. Paths are relative to this file, so
// the site works under any sub-path. Only dynamic import(): works as a classic or a
// module worker.
const GLUE = "__EOP_APP_GLUE__";
const base = new URL("../", self.location.href);
import(new URL(GLUE, base).href).then((m) =>
  m.default({ module_or_path: new URL(GLUE.replace(/\.js$/, "_bg.wasm"), base) }),
);
