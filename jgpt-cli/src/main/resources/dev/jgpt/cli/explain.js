(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("explanation").textContent);
  const tokens = data.tokens;
  const n = tokens.length;
  const logprobs = Array.isArray(data.logprobs) ? data.logprobs : [];
  const attention = Array.isArray(data.attention) ? data.attention : [];
  const layers = attention.length;
  const heads = layers ? attention[0].length : 0;
  const lens = Array.isArray(data.logit_lens) ? data.logit_lens : [];
  // the lens is [layer][k] for the last position, or [layer][position][k] when the file has every position
  const lensPerPosition = lens.length > 0 && Array.isArray(lens[0]) && Array.isArray(lens[0][0]);
  const SURPRISAL_CAP = 12; // bits at which the strip's colour saturates
  const MEAN = -1; // the head picker's value for "mean over heads"

  const state = { pos: n - 1, temperature: 1, layer: 0, head: MEAN };

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const WHITESPACE = { " ": "·", "\n": "↵", "\r": "␍", "\t": "⇥" };

  function controlMark(ch) {
    const code = ch.codePointAt(0);
    if (WHITESPACE[ch]) return WHITESPACE[ch];
    if (code < 0x20 || code === 0x7f) return "\\x" + code.toString(16).padStart(2, "0");
    return null;
  }

  /** A token's text with spaces, newlines, tabs and control characters made visible. */
  function pieceNode(piece) {
    const frag = document.createDocumentFragment();
    if (!piece) {
      frag.append(el("span", "ws", "∅"));
      return frag;
    }
    let plain = "";
    for (const ch of piece) {
      const mark = controlMark(ch);
      if (mark === null) {
        plain += ch;
        continue;
      }
      if (plain) frag.append(plain);
      plain = "";
      frag.append(el("span", "ws", mark));
    }
    if (plain) frag.append(plain);
    return frag;
  }

  /** The same, as plain text for titles and labels. */
  function pieceText(piece) {
    if (!piece) return "∅";
    let out = "";
    for (const ch of piece) {
      const mark = controlMark(ch);
      out += mark === null ? ch : mark;
    }
    return out;
  }

  function quoted(piece) {
    const node = el("span", "quoted");
    node.append("“", pieceNode(piece), "”");
    return node;
  }

  function pct(p) {
    if (!Number.isFinite(p)) return "—";
    const v = p * 100;
    if (v === 0) return "0%";
    if (v < 0.01) return "<0.01%";
    return v.toFixed(v >= 10 ? 1 : 2) + "%";
  }

  function fixed(x, digits) {
    return Number.isFinite(x) ? x.toFixed(digits) : "—";
  }

  /** Bits of surprise at token i (none for the first: nothing came before it). */
  function surprisalBits(i) {
    if (i === 0 || i - 1 >= logprobs.length) return null;
    const lp = logprobs[i - 1];
    return Number.isFinite(lp) ? -lp / Math.LN2 : null;
  }

  // ---------------------------------------------------------------- header

  // "model" is a name, or an object with the name and the model's shape
  const modelInfo = data.model && typeof data.model === "object" ? data.model : {};
  const modelName = typeof data.model === "string" ? data.model : modelInfo.name;

  function drawStats() {
    const model = modelName || "the model";
    $("title").textContent = "How " + model + " reads your text";
    document.title = "jgpt explain · " + model;
    const shape = [];
    if (modelInfo.architecture) shape.push(modelInfo.architecture);
    if (modelInfo.layers) shape.push(modelInfo.layers + " layers");
    if (modelInfo.heads) shape.push(modelInfo.heads + " heads");
    if (modelInfo.embd) shape.push(modelInfo.embd + " dimensions");
    if (modelInfo.vocab_size) shape.push(modelInfo.vocab_size + " tokens in its vocabulary");
    if (modelInfo.context_length) shape.push("context of " + modelInfo.context_length);
    $("shape").textContent = shape.join(" · ");
    const stats = $("stats");
    function stat(label, value, small) {
      const box = el("div");
      box.append(el("dt", null, label));
      const dd = el("dd", null, value);
      if (small) {
        dd.append(" ", el("small", null, small));
      }
      box.append(dd);
      stats.append(box);
    }
    stat("tokens", String(n));
    const ppl = data.perplexity;
    if (Number.isFinite(ppl)) {
      stat("perplexity", fixed(ppl, 2), fixed(Math.log2(ppl), 2) + " bits per token");
    } else {
      stat("perplexity", "—", "needs two tokens or more");
    }
    if (layers) stat("layers × heads", layers + " × " + heads);
    const next = finalTop();
    if (next && next.length) {
      const box = el("div");
      box.append(el("dt", null, "next token"));
      const dd = el("dd");
      dd.append(quoted(next[0].piece), " ", el("small", null, pct(next[0].prob)));
      box.append(dd);
      stats.append(box);
    }
  }

  // ---------------------------------------------------------------- token strip

  function chip(i) {
    return $("tok-" + i);
  }

  function buildStrip() {
    const strip = $("strip");
    const frag = document.createDocumentFragment();
    tokens.forEach((token, i) => {
      const box = el("span", "tok");
      box.id = "tok-" + i;
      box.dataset.index = String(i);
      box.setAttribute("role", "option");
      box.setAttribute("aria-selected", "false");
      box.tabIndex = -1;
      const piece = el("span", "piece");
      piece.append(pieceNode(token.piece));
      box.append(piece, el("span", "id", String(token.id)));
      const bits = surprisalBits(i);
      let about;
      if (bits === null) {
        box.classList.add("first");
        about = i === 0 ? "first token: nothing before it to predict it from" : "no surprisal stored";
      } else {
        box.style.setProperty("--s", Math.min(bits / SURPRISAL_CAP, 1).toFixed(3));
        about = "p = " + pct(Math.exp(logprobs[i - 1])) + ", " + bits.toFixed(2) + " bits of surprisal";
      }
      box.title = "#" + i + " · id " + token.id + " · " + about;
      box.setAttribute("aria-label", "token " + i + ": " + pieceText(token.piece) + ", id " + token.id + ", " + about);
      frag.append(box);
      if (token.piece && token.piece.endsWith("\n")) frag.append(el("span", "break"));
    });
    strip.append(frag);
    $("scale-note").textContent = "(0 bits: certain; " + SURPRISAL_CAP + "+ bits: a 1-in-" +
      Math.pow(2, SURPRISAL_CAP) + " guess or worse)";

    strip.addEventListener("click", (event) => {
      const target = event.target.closest(".tok");
      if (target) select(Number(target.dataset.index), true);
    });
    strip.addEventListener("keydown", (event) => {
      let i = state.pos;
      switch (event.key) {
        case "ArrowRight": case "ArrowDown": i += 1; break;
        case "ArrowLeft": case "ArrowUp": i -= 1; break;
        case "Home": i = 0; break;
        case "End": i = n - 1; break;
        default: return;
      }
      event.preventDefault();
      select(Math.max(0, Math.min(n - 1, i)), true);
    });
    $("show-ids").addEventListener("change", (event) => {
      strip.classList.toggle("ids", event.target.checked);
    });
  }

  /** Scrolls a scrollable box (only it, not the page) so that a child's box is inside it. */
  function reveal(box, top, height, left, width) {
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + height > box.scrollTop + box.clientHeight) box.scrollTop = top + height - box.clientHeight;
    if (left !== undefined) {
      if (left < box.scrollLeft) box.scrollLeft = left;
      else if (left + width > box.scrollLeft + box.clientWidth) box.scrollLeft = left + width - box.clientWidth;
    }
  }

  function select(i, fromUser) {
    const old = chip(state.pos);
    old.setAttribute("aria-selected", "false");
    old.tabIndex = -1;
    state.pos = i;
    const now = chip(i);
    now.setAttribute("aria-selected", "true");
    now.tabIndex = 0;
    if (fromUser) {
      const strip = $("strip");
      reveal(strip, now.offsetTop - strip.offsetTop - 6, now.offsetHeight + 12);
      if (document.activeElement && document.activeElement.closest("#strip")) now.focus({ preventScroll: true });
    }
    drawDistribution();
    drawAttentionFocus();
    if (lensPerPosition) drawLens();
  }

  // ---------------------------------------------------------------- next-token distribution

  /** The stored top-k of the distribution after position i, or null. */
  function topAt(i) {
    if (Array.isArray(data.positions) && data.positions[i] && Array.isArray(data.positions[i].top)) {
      return data.positions[i].top;
    }
    if (i === n - 1 && data.next && Array.isArray(data.next.top)) return data.next.top;
    return null;
  }

  function finalTop() {
    return data.next && Array.isArray(data.next.top) ? data.next.top : topAt(n - 1);
  }

  // Without a stored logit, log(prob) serves: it differs from the logit by the same constant
  // (the log of the softmax's normaliser) for every token, and softmax ignores a constant shift.
  function logitOf(entry) {
    return Number.isFinite(entry.logit) ? entry.logit : Math.log(entry.prob);
  }

  /** softmax(logit / T) over the given entries; T = 0 puts all the mass on the largest logit. */
  function softmax(entries, temperature) {
    const logits = entries.map(logitOf);
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
    if (temperature <= 0 || !Number.isFinite(logits[best])) {
      return logits.map((_, k) => (k === best ? 1 : 0));
    }
    const exps = logits.map((l) => Math.exp((l - logits[best]) / temperature));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  }

  /** One row of a bar chart: rank, token, bar (with an optional tick at a second value), value. */
  function barRow(rank, entry, p, trueP, actual) {
    const row = el("div", "bar-row");
    row.setAttribute("role", "listitem");
    row.dataset.id = String(entry.id);
    row.dataset.prob = String(p);
    row.setAttribute("aria-label", pieceText(entry.piece) + ": " + pct(p) + (actual ? " (the actual next token)" : ""));
    if (actual) row.classList.add("actual");
    row.append(el("span", "bar-rank", rank === null ? "" : String(rank)));
    const label = el("span", "bar-label");
    label.append(pieceNode(entry.piece));
    label.title = "id " + entry.id + ": " + pieceText(entry.piece);
    if (actual) label.append(el("span", "badge", "actual next"));
    row.append(label);
    const track = el("span", "bar-track");
    const fill = el("span", "bar-fill");
    fill.style.width = (100 * p).toFixed(3) + "%";
    track.append(fill);
    if (trueP !== null && Number.isFinite(trueP)) {
      const tick = el("span", "bar-true");
      tick.style.left = "calc(" + (100 * trueP).toFixed(3) + "% - 1px)";
      tick.title = "true probability at T = 1: " + pct(trueP);
      track.append(tick);
    }
    row.append(track, el("span", "bar-value", pct(p)));
    return row;
  }

  function drawDistribution() {
    const i = state.pos;
    const T = state.temperature;
    const title = $("dist-title");
    title.replaceChildren("After token #" + i + " ", quoted(tokens[i].piece),
      i === n - 1 ? ", the end of the text" : "");

    const context = $("dist-context");
    const from = Math.max(0, i - 12);
    context.replaceChildren(from > 0 ? "…" : "");
    for (let j = from; j < i; j++) context.append(pieceNode(tokens[j].piece));
    const here = el("span", "here");
    here.append(pieceNode(tokens[i].piece));
    context.append(here, " ▸ ?");

    const bars = $("bars");
    const foot = $("dist-foot");
    const entries = topAt(i);
    if (!entries || entries.length === 0) {
      bars.replaceChildren(el("p", "empty", "This file has no distribution stored for this position."));
      foot.textContent = "";
      $("temperature-note").textContent = "";
      return;
    }
    const probs = softmax(entries, T);
    const actualId = i + 1 < n ? tokens[i + 1].id : null;
    const rows = entries.map((entry, k) =>
      barRow(k + 1, entry, probs[k], Number.isFinite(entry.prob) ? entry.prob : null, entry.id === actualId));
    bars.replaceChildren(...rows);

    const stored = data.positions && data.positions[i] ? data.positions[i].rest_prob : undefined;
    const kept = Number.isFinite(stored) ? 1 - stored
      : entries.reduce((sum, e) => sum + (Number.isFinite(e.prob) ? e.prob : 0), 0);
    $("temperature-note").textContent = T <= 0
      ? "T = 0 is greedy decoding: all the probability goes to the top token."
      : "Re-softmaxed at T = " + T.toFixed(2) + " over the " + entries.length + " stored tokens only, so the bars add up to 100%" +
        (T < 1 ? "; T < 1 sharpens the distribution" : T > 1 ? "; T > 1 flattens it" : "") +
        ". The thin mark on each bar is the model's true probability at T = 1, out of the whole vocabulary.";
    let text = "These " + entries.length + " tokens hold " + pct(kept) + " of the model's probability at T = 1; " +
      "the other " + pct(Math.max(0, 1 - kept)) + " is spread over the rest of the vocabulary.";
    if (actualId === null) {
      text += " This is the last token: nothing came after it yet.";
    } else if (entries.some((e) => e.id === actualId)) {
      text += " The token that actually came next is in orange.";
    } else {
      const bits = surprisalBits(i + 1);
      text += " The token that actually came next, “" + pieceText(tokens[i + 1].piece) + "”, is not among them" +
        (bits === null ? "." : ": the model gave it " + pct(Math.pow(2, -bits)) + " (" + bits.toFixed(2) + " bits of surprisal).");
    }
    foot.textContent = text;
  }

  function buildSlider() {
    const slider = $("temperature");
    slider.addEventListener("input", () => {
      state.temperature = Number(slider.value);
      $("temperature-value").textContent = "T = " + state.temperature.toFixed(2) +
        (state.temperature === 0 ? " (greedy)" : "");
      drawDistribution();
    });
  }

  // ---------------------------------------------------------------- attention

  const meanCache = new Map();
  const HEAT_HINT = "Rows are queries (the token looking), columns keys (the token looked at). " +
    "Point at a cell to read it; click a row to select its token.";

  /** Attention row q of the chosen layer and head (or the mean over heads), as an array of n weights. */
  function attentionRow(layer, head, q) {
    if (head !== MEAN) return attention[layer][head][q] || [];
    let mean = meanCache.get(layer);
    if (!mean) {
      mean = new Float64Array(n * n);
      for (let h = 0; h < heads; h++) {
        for (let r = 0; r < n; r++) {
          const row = attention[layer][h][r] || [];
          for (let k = 0; k < row.length && k < n; k++) mean[r * n + k] += row[k] / heads;
        }
      }
      meanCache.set(layer, mean);
    }
    return mean.subarray(q * n, q * n + n);
  }

  function cellSize() {
    return Math.max(1, Math.min(28, Math.floor(520 / n)));
  }

  function cssRgb(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).split(",").map((v) => Number(v.trim()));
  }

  function headName() {
    return "layer " + state.layer + ", " + (state.head === MEAN ? "mean over heads" : "head " + state.head);
  }

  function drawHeatmap() {
    if (!layers) return;
    const canvas = $("heatmap");
    const cell = cellSize();
    canvas.width = n;
    canvas.height = n;
    canvas.style.width = n * cell + "px";
    canvas.style.height = n * cell + "px";
    canvas.setAttribute("aria-label", "Attention weights, query by key, " + headName());
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(n, n);
    const lo = cssRgb("--heat-lo");
    const hi = cssRgb("--heat-hi");
    const masked = cssRgb("--heat-masked");
    const pixels = image.data;
    for (let q = 0; q < n; q++) {
      const row = attentionRow(state.layer, state.head, q);
      for (let k = 0; k < n; k++) {
        const at = 4 * (q * n + k);
        let rgb;
        if (k > q) {
          rgb = masked;
        } else {
          const w = Math.sqrt(Math.min(1, Math.max(0, row[k] || 0)));
          rgb = [lo[0] + (hi[0] - lo[0]) * w, lo[1] + (hi[1] - lo[1]) * w, lo[2] + (hi[2] - lo[2]) * w];
        }
        pixels[at] = rgb[0];
        pixels[at + 1] = rgb[1];
        pixels[at + 2] = rgb[2];
        pixels[at + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    drawAttentionFocus();
  }

  /** The selected token's row: outlined on the heatmap, and its strongest keys as bars. */
  function drawAttentionFocus() {
    if (!layers) return;
    const q = state.pos;
    const cell = cellSize();
    const mark = $("heat-row");
    mark.style.top = q * cell + "px";
    mark.style.height = cell + "px";
    mark.style.width = (q + 1) * cell + "px";
    const wrap = $("heat-wrap");
    reveal(wrap, $("heat-box").offsetTop - wrap.offsetTop + q * cell, cell);

    const title = $("attends-title");
    title.replaceChildren("Token #" + q + " ", quoted(tokens[q].piece), " looks most at (" + headName() + "):");
    const row = attentionRow(state.layer, state.head, q);
    const keys = [];
    for (let k = 0; k <= q; k++) keys.push(k);
    keys.sort((a, b) => (row[b] || 0) - (row[a] || 0));
    $("attends").replaceChildren(...keys.slice(0, 5).map((k) =>
      barRow("#" + k, tokens[k], row[k] || 0, null, false)));
  }

  function buildAttention() {
    const panel = $("attention-panel");
    if (!layers || !heads) {
      panel.querySelector(".pickers").replaceWith(el("p", "empty", "This file has no attention weights."));
      $("heat-wrap").remove();
      $("heat-hover").remove();
      return;
    }
    const layerPicker = $("layer");
    for (let l = 0; l < layers; l++) {
      const option = el("option", null, String(l) + (l === layers - 1 && layers > 1 ? " (last)" : ""));
      option.value = String(l);
      layerPicker.append(option);
    }
    const headPicker = $("head");
    const mean = el("option", null, "mean over heads");
    mean.value = String(MEAN);
    headPicker.append(mean);
    for (let h = 0; h < heads; h++) {
      const option = el("option", null, String(h));
      option.value = String(h);
      headPicker.append(option);
    }
    layerPicker.addEventListener("change", () => {
      state.layer = Number(layerPicker.value);
      drawHeatmap();
    });
    headPicker.addEventListener("change", () => {
      state.head = Number(headPicker.value);
      drawHeatmap();
    });

    const canvas = $("heatmap");
    const hover = $("heat-hover");
    const cellAt = (event) => {
      const cell = cellSize();
      return [Math.floor(event.offsetY / cell), Math.floor(event.offsetX / cell)];
    };
    canvas.addEventListener("mousemove", (event) => {
      const [q, k] = cellAt(event);
      if (q < 0 || q >= n || k < 0 || k >= n) return;
      hover.replaceChildren("#" + q + " ", quoted(tokens[q].piece), " → #" + k + " ", quoted(tokens[k].piece),
        k > q ? ": masked, a token cannot look ahead" : ": " + pct(attentionRow(state.layer, state.head, q)[k] || 0));
    });
    canvas.addEventListener("mouseleave", () => {
      hover.textContent = HEAT_HINT;
    });
    canvas.addEventListener("click", (event) => {
      const [q] = cellAt(event);
      if (q >= 0 && q < n) select(q, true);
    });
    canvas.addEventListener("keydown", (event) => {
      let q = state.pos;
      if (event.key === "ArrowUp") q -= 1;
      else if (event.key === "ArrowDown") q += 1;
      else return;
      event.preventDefault();
      select(Math.max(0, Math.min(n - 1, q)), true);
    });
    hover.textContent = HEAT_HINT;
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawHeatmap);
    drawHeatmap();
  }

  // ---------------------------------------------------------------- logit lens

  function lensLabel(l) {
    if (lens.length === layers + 1) return l === 0 ? "embeddings" : "after layer " + (l - 1);
    return "after layer " + l;
  }

  function lensCell(entry, withBar, isFinal) {
    const td = el("td");
    if (!entry) return td;
    const cell = el("div", "cell");
    const piece = el("span", "piece");
    piece.append(pieceNode(entry.piece));
    cell.append(piece);
    if (withBar) {
      const mini = el("span", "mini");
      const fill = el("span");
      fill.style.width = (100 * Math.min(1, Math.max(0, entry.prob))).toFixed(2) + "%";
      mini.append(fill);
      cell.append(mini);
    }
    cell.append(el("span", "p", pct(entry.prob)));
    if (isFinal) cell.append(el("span", "same", "✓"));
    td.append(cell);
    return td;
  }

  function drawLens() {
    const table = $("lens");
    if (!lens.length) {
      table.replaceChildren();
      $("lens-caption").textContent = "This file has no logit lens.";
      return;
    }
    const pos = lensPerPosition ? state.pos : n - 1;
    const rows = lens.map((layer) => (lensPerPosition ? layer[pos] : layer) || []);
    const final = lensPerPosition ? topAt(pos) : finalTop();
    const finalId = final && final.length ? final[0].id : null;
    const width = Math.min(3, Math.max(...rows.map((r) => r.length), final ? final.length : 0));
    $("lens-caption").textContent = lensPerPosition
      ? "For the selected token #" + pos + ": the guesses for the token after it."
      : "For the last position: the guesses for the token after the whole text" +
        (state.pos !== n - 1 ? " (this file has the lens for that position only)." : ".");

    const head = el("tr");
    head.append(el("th", null, "read after"), el("th", null, "top guess"));
    for (let k = 1; k < width; k++) head.append(el("th", null, k === 1 ? "2nd" : k === 2 ? "3rd" : k + 1 + "th"));
    const body = [head];
    rows.forEach((entries, l) => {
      const tr = el("tr");
      tr.append(el("td", "layer", lensLabel(l)));
      for (let k = 0; k < width; k++) tr.append(lensCell(entries[k], k === 0, k === 0 && entries[k] && entries[k].id === finalId));
      body.push(tr);
    });
    if (final) {
      const tr = el("tr", "final");
      tr.append(el("td", "layer", "model output"));
      for (let k = 0; k < width; k++) tr.append(lensCell(final[k], k === 0, false));
      body.push(tr);
    }
    table.replaceChildren(...body);
  }

  // ---------------------------------------------------------------- temperatures side by side

  /** One row per candidate token, one column per stored temperature: the effect of temperature side by side. */
  function drawTemperatures() {
    const grid = $("temps");
    const temps = data.temperatures && typeof data.temperatures === "object" ? data.temperatures : {};
    const keys = Object.keys(temps).filter((k) => Array.isArray(temps[k])).sort((a, b) => Number(a) - Number(b));
    if (!keys.length) {
      grid.replaceWith(el("p", "empty", "This file has no temperature comparison."));
      return;
    }
    const candidates = temps[keys[0]];
    $("temps-caption").textContent = "For the token after the whole text: the model's top " + candidates.length +
      " candidates, re-softmaxed among themselves at each temperature.";
    grid.style.gridTemplateColumns = "auto repeat(" + keys.length + ", minmax(0, 1fr))";
    const cells = [el("span", "temp-head", "token")];
    for (const key of keys) cells.push(el("span", "temp-head", "T = " + key));
    candidates.forEach((candidate) => {
      const label = el("span", "bar-label");
      label.append(pieceNode(candidate.piece));
      cells.push(label);
      for (const key of keys) {
        const entry = temps[key].find((e) => e.id === candidate.id);
        const p = entry ? entry.prob : NaN;
        const cell = el("span", "temp-cell");
        const track = el("span", "bar-track");
        const fill = el("span", "bar-fill");
        fill.style.width = (100 * (Number.isFinite(p) ? p : 0)).toFixed(3) + "%";
        track.append(fill);
        cell.append(track, el("span", "bar-value", pct(p)));
        cell.setAttribute("aria-label", pieceText(candidate.piece) + " at T = " + key + ": " + pct(p));
        cells.push(cell);
      }
    });
    grid.replaceChildren(...cells);
  }

  // ---------------------------------------------------------------- start

  drawStats();
  buildStrip();
  buildSlider();
  buildAttention();
  drawTemperatures();
  drawLens();
  select(n - 1, false);
})();
