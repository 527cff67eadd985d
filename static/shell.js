// The first screen, painted before the wasm arrives (issue 26): the header, the scenario's
// title, and a still of the stage with the scenario's headline, or for an embedded page
// its title bar. index.html inlines this script (built by scripts/shell-data.mjs, which
// fills in SHELL_DATA from the scenario texts and the lessons) into <body>, so it runs
// before the first paint. The app removes #shell when it mounts (src/ui/mod.rs); nothing
// of it stays, so the app's own layout cannot shift it. Classes are the app's (same look,
// both themes); no element carries the app's tags or data-* attributes, which the tests
// and the host page look for.
(function () {
  var D = /*SHELL_DATA*/ { scenarios: {}, lessons: {}, home: "", course: 0 } /*END*/;
  var q = {};
  location.search
    .replace(/^\?/, "")
    .split("&")
    .forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      var k = i < 0 ? kv : kv.slice(0, i);
      var v = i < 0 ? "" : kv.slice(i + 1);
      try {
        q[decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, " "));
      } catch (e) {
        q[k] = v;
      }
    });
  var flag = function (v) {
    return v !== undefined && /^(1|true|yes|on|compact|full|)$/.test(v);
  };
  var esc = function (s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  };
  var lesson = q.lesson ? D.lessons[q.lesson] : null;
  var id = lesson ? lesson.scenario : D.scenarios[q.s] ? q.s : D.home;
  var sc = D.scenarios[id] || { title: "", promise: "" };
  var embed = flag(q.embed);
  var dark = false;
  try {
    var t = localStorage.getItem("eop.theme");
    dark = t ? t === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  } catch (e) {}

  // The stage's place: a card the size of the stage, its headline where the drawing goes.
  var still =
    '<div class="shell-stage"><div class="shell-tabs"><span></span><span></span><span></span></div>' +
    '<div class="shell-still"><p class="shell-headline">' + esc(sc.title) + "</p>" +
    '<p class="shell-promise">' + esc(sc.promise.charAt(0).toUpperCase() + sc.promise.slice(1)) + ".</p></div></div>";
  var html;
  if (embed) {
    html =
      '<div class="embed-bar"><strong class="embed-title">' + esc(sc.title) +
      '</strong><span class="embed-open">Open in the playground ↗</span></div>' + still;
  } else {
    var step = lesson ? Math.min(Math.max(parseInt(q.step, 10) || 1, 1), lesson.steps) : 0;
    var intro = !q.s && !lesson && location.search.replace(/^\?/, "") === "";
    html =
      '<div class="app-header"><div class="brand"><h1>Exactly-Once Playground</h1>' +
      '<p class="tagline">Delivery can&#39;t be exactly once. Processing can — watch how.</p></div>' +
      '<div class="header-tools"><div class="now-showing"><span class="muted">Scenario</span><strong>' + esc(sc.title) +
      '</strong></div><span class="btn small ghost">' + (dark ? "☀ Light" : "☾ Dark") +
      '</span><span class="btn small ghost">Reduce motion</span><span class="btn small ghost">Presenter</span>' +
      '<span class="btn small ghost">?</span></div></div>' +
      '<div class="layout"><div class="nav-col"></div><div class="center">' +
      (intro
        ? '<div class="home-intro"><p>' + D.course +
          " short lessons: predict what a run will do, watch it, then break it yourself. Each lesson&#39;s scenario is also there for free play.</p></div>"
        : "") +
      (lesson
        ? '<div class="shell-lesson"><strong>' + esc(lesson.title) + '</strong><span class="muted">Step ' + step + " of " +
          lesson.steps + "</span></div>"
        : "") +
      still + '</div><div class="side"></div></div>';
  }
  var root = document.createElement("div");
  root.id = "shell";
  root.className = "app shell" + (embed ? " embed" : "") + (dark ? " theme-dark" : "");
  root.setAttribute("aria-busy", "true");
  root.innerHTML = html;
  document.body.appendChild(root);
})();
