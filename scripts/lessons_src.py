# Source of src/course/lessons/*.json (run: python3 scripts/lessons_src.py).
# The JSON files are the lessons; this script only saves typing. No number in a
# question's answer is written here: answers are quantities the simulator computes.
import json, os

def Is(t, p): return {"is": {"technique": t, "property": p}}
def W(p, among=None):
    d = {"property": p}
    if among: d["among"] = among
    return {"where": d}
def T(*ids): return {"techniques": list(ids)}
def C(v): return {"const": v}
def Bal(t, m, at=None):
    d = {"technique": t, "merchant": m}
    if at: d["at"] = at
    return {"balance": d}
def Truth(m): return {"truth": {"merchant": m}}
def Under(setup, q): return {"under": {"setup": setup, "of": q}}
def Sum(*qs): return {"sum": list(qs)}
def Cnt(t, name): return {"counter": {"technique": t, "name": name}}
def Entries(t, m=None):
    d = {"technique": t}
    if m: d["merchant"] = m
    return {"entries": d}
def Twice(t): return {"applied_twice": {"technique": t}}
def Lost(t): return {"lost": {"technique": t}}
def Peak(t): return {"dedup_peak": {"technique": t}}
def O(id, label, value, feedback, mis=None):
    d = {"id": id, "label": label, "value": value, "feedback": feedback}
    if mis: d["misconception"] = mis
    return d
def Q(prompt, ask, options=None, setup=None, number=False, right=None, wrong=None, mis=None):
    d = {"prompt": prompt, "ask": ask}
    if setup: d["setup"] = setup
    if options: d["options"] = options
    if number:
        d["number"] = True
        d["right"] = right
        if wrong: d["wrong"] = wrong
        if mis: d["misconceptions"] = [{"value": v, "name": n, "feedback": f} for (v, n, f) in mis]
    return d
def YES(fb, mis=None): return O("yes", "Yes", C(True), fb, mis)
def NO(fb, mis=None): return O("no", "No", C(False), fb, mis)
def read(title, text, setup=None, at=None):
    d = {"kind": "read", "title": title, "text": text}
    if setup: d["setup"] = setup
    if at: d["at"] = at
    return d
def watch(title, text, frm="start", to="end", setup=None):
    d = {"kind": "watch", "title": title, "text": text, "from": frm, "to": to}
    if setup: d["setup"] = setup
    return d
def predict(title, text, q, explain, setup=None):
    d = {"kind": "predict", "title": title, "text": text, "question": q, "explain": explain}
    if setup: d["setup"] = setup
    return d
def try_(title, text, goal, hint, show_me, success, setup=None):
    d = {"kind": "try", "title": title, "text": text, "goal": goal, "hint": hint, "show_me": show_me, "success": success}
    if setup: d["setup"] = setup
    return d
def G(when, op, value): return {"when": when, "op": op, "value": value}
def recall(text, qs): return {"kind": "recall", "title": "Recall", "text": text, "questions": qs}
def P(**kw): return {"params": kw}
def S(scenario, **kw):
    d = {"scenario": scenario}
    if kw: d["params"] = kw
    return d

L = []
def lesson(n, id, title, minutes, setup, steps):
    L.append((n, {"id": id, "title": title, "scenario": id, "minutes": minutes, "setup": setup, "steps": steps}))

exec(open(os.path.join(os.path.dirname(__file__), "lessons_text.py")).read())

out = os.path.join(os.path.dirname(__file__), "..", "src", "course", "lessons")
for n, l in L:
    with open(os.path.join(out, f"{n:02d}-{l['id']}.json"), "w") as f:
        json.dump(l, f, indent=2, ensure_ascii=False)
        f.write("\n")
print(len(L), "lessons")
