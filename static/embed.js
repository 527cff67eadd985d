/* Exactly-Once Playground: the embed script for course pages (docs/embedding.md).
 *
 *   <div data-eop="?s=walkthrough&from=3&to=9"></div>
 *   <script src="https://…/playground/embed.js" async></script>
 *
 * or, with methods:
 *
 *   <eo-playground link="?s=walkthrough"></eo-playground>
 *   el.play(); el.pause(); el.seek(12); el.load("?s=two-generals");
 *
 * Each element gets an <iframe> of the playground (the folder this script was loaded
 * from, with embed=1), created when the element comes near the viewport. The frame's
 * height follows the playground's content (its `resize` messages), also while it is
 * off-screen: when the element's width changes, the frame is asked to measure itself
 * again. Every message from the playground is dispatched on the element as a DOM event
 * `eop:<type>` (eop:ready, eop:state, eop:answer, eop:lesson, eop:resize, eop:warning,
 * eop:error, and any type a later version adds; event.detail is the message).
 * Commands sent before the frame is ready wait for it. API version 1.
 *
 * Compact (the stage, the playback bar and a balances row per technique, for slides):
 * `<div data-eop="…" height="420">` (a height below COMPACT_BELOW: the frame is at most
 * that tall) or `<div data-eop="…" compact>`.
 */
(() => {
  "use strict";
  const NAME = "exactly-once-playground";
  const VERSION = 1;
  const LAZY_MARGIN = "600px 0px";
  // Not below COMPACT_BELOW: a frame that starts lower would lay itself out compactly.
  const FIRST_HEIGHT = 560;
  /** A `height` below this asks for the compact embed (src/ui/share: COMPACT_BELOW). */
  const COMPACT_BELOW = 560;

  if (window.EOPlayground) return; // loaded twice: the first copy serves the page
  const script =
    document.currentScript ||
    [...document.querySelectorAll("script[src]")].find((s) => /\/embed\.js([?#]|$)/.test(s.src));
  const BASE = new URL("./", script ? script.src : location.href);
  const ORIGIN = BASE.origin;

  /** The playground address for a share link (query string, or a whole address). */
  function frameSrc(link, compact = false) {
    let q = String(link || "").trim();
    const i = q.indexOf("?");
    if (i >= 0) q = q.slice(i + 1);
    q = q.split("#")[0];
    const parts = q.split("&").filter((p) => p && !/^embed(=|$)/.test(p));
    parts.push(compact ? "embed=compact" : "embed=1");
    return new URL(`?${parts.join("&")}`, BASE).href;
  }

  const byWindow = new Map(); // iframe.contentWindow → controller

  class Controller {
    constructor(host, link) {
      this.host = host;
      this.link = link;
      this.frame = null;
      this.ready = false;
      this.queue = [];
      this.lastState = null;
      const h = Number(host.getAttribute("height"));
      /** The most the host lets the frame grow (a slide's height), or Infinity. */
      this.maxHeight = Number.isFinite(h) && h > 0 && h < COMPACT_BELOW ? h : Infinity;
      this.compact = host.hasAttribute("compact") || this.maxHeight < Infinity;
      this.width = null;
    }

    /** Create the iframe (once). */
    mount() {
      if (this.frame) return;
      const f = document.createElement("iframe");
      f.src = frameSrc(this.link, this.compact);
      f.title = this.host.getAttribute("data-title") || "Exactly-Once Playground";
      const h = this.maxHeight < Infinity ? this.maxHeight : Number(this.host.getAttribute("height")) || FIRST_HEIGHT;
      f.style.cssText = `display:block;width:100%;height:${h}px;border:1px solid #d3d9e1;border-radius:8px;background:#fff;`;
      f.setAttribute("allow", "clipboard-write");
      this.host.appendChild(f);
      this.frame = f;
      byWindow.set(f.contentWindow, this);
      // Off-screen, a browser may not lay out the frame, so it would not notice a new
      // width until scrolled into view (and then jump): ask it to measure on every change.
      if ("ResizeObserver" in window) {
        new ResizeObserver(() => {
          const w = this.host.clientWidth;
          if (this.width !== null && w !== this.width && this.ready) this.send("measure", {});
          this.width = w;
        }).observe(this.host);
      }
    }

    send(type, fields) {
      const msg = { target: NAME, version: VERSION, type, ...fields };
      if (this.ready && this.frame && this.frame.contentWindow) {
        this.frame.contentWindow.postMessage(msg, ORIGIN);
      } else {
        this.queue.push(msg);
        this.mount();
      }
    }

    receive(msg) {
      if (msg.type === "ready") {
        this.ready = true;
        const q = this.queue.splice(0);
        for (const m of q) this.frame.contentWindow.postMessage(m, ORIGIN);
        // A frame created off-screen may not measure itself until it is scrolled to.
        this.send("measure", {});
      } else if (msg.type === "resize") {
        const h = Number(msg.height);
        if (Number.isFinite(h) && h > 0 && h < 100000)
          this.frame.style.height = `${Math.min(Math.ceil(h), this.maxHeight)}px`;
      } else if (msg.type === "state") {
        this.lastState = msg;
      }
      this.host.dispatchEvent(new CustomEvent(`eop:${msg.type}`, { detail: msg, bubbles: true, composed: true }));
    }
  }

  window.addEventListener("message", (e) => {
    const c = byWindow.get(e.source);
    if (!c || e.origin !== ORIGIN) return;
    const m = e.data;
    if (!m || typeof m !== "object" || m.source !== NAME || m.version !== VERSION) return;
    // Every type the frame sends (a later version may add some): only a usable event name.
    if (typeof m.type !== "string" || !/^[a-z][a-zA-Z]{0,30}$/.test(m.type)) return;
    c.receive(m);
  });

  const lazy =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          (entries) => {
            for (const e of entries) {
              if (!e.isIntersecting) continue;
              lazy.unobserve(e.target);
              controllerOf(e.target)?.mount();
            }
          },
          { rootMargin: LAZY_MARGIN },
        )
      : null;

  const controllers = new WeakMap();
  const controllerOf = (el) => controllers.get(el);

  /** Attach a playground to `el`, showing `link`; lazily unless there is no IntersectionObserver. */
  function attach(el, link) {
    if (controllers.has(el)) return controllers.get(el);
    const c = new Controller(el, link);
    controllers.set(el, c);
    if (lazy && !el.hasAttribute("eager")) lazy.observe(el);
    else c.mount();
    return c;
  }

  /** The methods a host element offers (the custom element, and `el.eoPlayground` on a div). */
  const api = (c) => ({
    play: () => c.send("play", {}),
    pause: () => c.send("pause", {}),
    seek: (tick) => c.send("seek", { tick }),
    load: (link) => c.send("load", { link }),
    get state() {
      return c.lastState;
    },
    get frame() {
      return c.frame;
    },
  });

  function scan(root = document) {
    for (const el of root.querySelectorAll("[data-eop]")) {
      if (controllers.has(el)) continue;
      el.eoPlayground = api(attach(el, el.getAttribute("data-eop")));
    }
  }

  if ("customElements" in window && !customElements.get("eo-playground")) {
    customElements.define(
      "eo-playground",
      class extends HTMLElement {
        connectedCallback() {
          if (!this.style.display) this.style.display = "block";
          attach(this, this.getAttribute("link"));
        }
        get _c() {
          return controllerOf(this) || attach(this, this.getAttribute("link"));
        }
        play() {
          this._c.send("play", {});
        }
        pause() {
          this._c.send("pause", {});
        }
        seek(tick) {
          this._c.send("seek", { tick });
        }
        load(link) {
          this._c.send("load", { link });
        }
        get state() {
          return this._c.lastState;
        }
        get frame() {
          return this._c.frame;
        }
      },
    );
  }

  window.EOPlayground = { version: VERSION, scan, frameSrc };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan());
  else scan();
})();
