// mmrag's web page: ask a pipeline with text and images, stream the answer, show the evidence.
"use strict";
const $ = (id) => document.getElementById(id);
const images = [];  // {name, dataUrl}

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = $("key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

async function loadPipelines() {
  $("key").value = localStorage.getItem("mmrag-key") || "";
  const reply = await fetch("/v1/models", {headers: headers()});
  if (!reply.ok) { status(await errorText(reply), true); return; }
  const list = (await reply.json()).data;
  $("pipeline").replaceChildren(...list.map((m) => {
    const o = document.createElement("option");
    o.value = m.id; o.textContent = m.id; o.title = m.description || "";
    return o;
  }));
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function errorText(reply) {
  try { return (await reply.json()).error.message; } catch (e) { return reply.statusText; }
}

function addFiles(files) {
  for (const file of files) {
    if (!file.type.startsWith("image/")) continue;
    const reader = new FileReader();
    reader.onload = () => { images.push({name: file.name || "pasted image", dataUrl: reader.result}); showAttached(); };
    reader.readAsDataURL(file);
  }
}

function showAttached() {
  $("attached").replaceChildren(...images.map((img, i) => {
    const fig = document.createElement("figure");
    const el = document.createElement("img");
    el.src = img.dataUrl; el.alt = img.name; el.title = img.name;
    const drop = document.createElement("button");
    drop.type = "button"; drop.textContent = "×"; drop.title = "remove";
    drop.onclick = () => { images.splice(i, 1); showAttached(); };
    fig.append(el, drop);
    return fig;
  }));
}

async function evidenceImage(url) {
  // fetched with the key (an <img src> cannot send it), shown from a blob: URL
  const reply = await fetch(url, {headers: headers()});
  if (!reply.ok) return null;
  return URL.createObjectURL(await reply.blob());
}

async function showSources(data) {
  const items = [];
  for (const s of data.sources) {
    const li = document.createElement("li");
    li.className = "source";
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = `[${s.rank}] ${s.source}` + (s.page ? `, p. ${s.page}` : "") +
      (s.page && s.printed_page ? ` (printed ${s.printed_page})` : "") +
      (s.start !== null && s.start !== undefined ? ` @ ${clock(s.start)}` + (s.end !== null ? `–${clock(s.end)}` : "") : "");
    const score = document.createElement("span");
    score.className = "score"; score.textContent = `cosine ${s.score.toFixed(3)}`;
    const text = document.createElement("div");
    text.className = "text"; text.textContent = s.text;
    li.append(where, score, text);
    if (s.image_url) {
      const src = await evidenceImage(s.image_url);
      if (src) {
        const img = document.createElement("img");
        img.className = "thumb"; img.src = src; img.alt = `evidence ${s.rank}`;
        img.onclick = () => { $("large").src = src; $("viewer").showModal(); };
        li.append(img);
      }
    }
    items.push(li);
  }
  $("sources").replaceChildren(...items);
}

function clock(seconds) {
  const t = Math.floor(seconds || 0), m = Math.floor(t / 60) % 60, h = Math.floor(t / 3600);
  const mm = String(m).padStart(2, "0") + ":" + String(t % 60).padStart(2, "0");
  return h ? String(h).padStart(2, "0") + ":" + mm : mm;
}

async function ask(event) {
  event.preventDefault();
  localStorage.setItem("mmrag-key", $("key").value.trim());
  const content = [{type: "text", text: $("question").value}];
  for (const img of images) content.push({type: "image_url", image_url: {url: img.dataUrl}});
  $("result").hidden = false; $("answer").textContent = ""; $("sources").replaceChildren();
  $("send").disabled = true; status("Searching…");
  try {
    const reply = await fetch("/v1/chat/completions", {
      method: "POST", headers: headers({"Content-Type": "application/json"}),
      body: JSON.stringify({model: $("pipeline").value, stream: true,
                            messages: [{role: "user", content}]})});
    if (!reply.ok) { status(await errorText(reply), true); return; }
    const reader = reply.body.getReader(), decoder = new TextDecoder();
    let buffer = "", final = null;
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
        if (!event.startsWith("data: ")) continue;
        const payload = event.slice(6);
        if (payload === "[DONE]") continue;
        const chunk = JSON.parse(payload);
        if (chunk.error) { status(chunk.error.message, true); return; }
        if (chunk.mmrag) { final = chunk.mmrag; continue; }  // its sources text is shown below
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (delta && delta.content) $("answer").textContent += delta.content;
      }
    }
    if (final) { await showSources(final); status(`Done in ${Math.round(final.timings_ms.total)} ms`); }
  } catch (e) {
    status("The request failed: " + e.message, true);
  } finally {
    $("send").disabled = false;
  }
}

const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); addFiles(e.dataTransfer.files); });
document.addEventListener("paste", (e) => { if (e.clipboardData) addFiles(e.clipboardData.files); });
$("files").addEventListener("change", (e) => addFiles(e.target.files));
$("ask").addEventListener("submit", ask);
$("key").addEventListener("change", () => { localStorage.setItem("mmrag-key", $("key").value.trim()); loadPipelines(); });
loadPipelines();
