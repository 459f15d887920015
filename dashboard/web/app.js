// Sentinel dashboard page: renders api/state and the `events` stream (Server-Sent Events, one
// snapshot a second and at once when alerts change). Charts are uPlot; each keeps its own data and
// is updated with setData, only for the hosts on screen (at most MAX_CHARTED), so 200 hosts cost
// 200 table rows and a handful of charts. Every URL is relative: the page works behind a proxy.
(function () {
  "use strict";

  const WINDOW_MS = 15 * 60 * 1000;
  const PAGE_SIZE = 50;
  const MAX_CHARTED = 6;

  const $ = (id) => document.getElementById(id);
  const state = {
    snapshot: null,
    hostPage: 0,
    filter: "",
    selected: [],        // hosts with charts, in order of selection
    autoSelect: true,    // until the user picks, the first hosts are charted
    panels: new Map(),   // host → {charts: {cpu, mem, disk, net}, data: {...}}
    httpData: [[], [], [], []],
    httpChart: null,
    ticks: 0,
    seriesInFlight: false,
    renderMs: [],        // the last 60 renders' times, for the end-to-end test and benchmarks
  };

  // --- formatting ---------------------------------------------------------------------------
  function esc(s) {
    return String(s ?? "").replace(/[&<>"']/g, (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function num(v, digits = 1) {
    return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits);
  }
  function bytesPerS(v) {
    if (v === null || v === undefined) return "–";
    const units = ["B/s", "KB/s", "MB/s", "GB/s"];
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return v.toFixed(i ? 1 : 0) + " " + units[i];
  }
  function ago(ms, now) {
    if (!ms) return "–";
    const s = Math.max(0, Math.round((now - ms) / 1000));
    if (s < 60) return s + "s ago";
    if (s < 3600) return Math.floor(s / 60) + "m " + (s % 60) + "s ago";
    return Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m ago";
  }
  function when(ms, now) {
    return ms ? `<span title="${esc(new Date(ms).toISOString())}">${esc(ago(ms, now))}</span>` : "–";
  }

  // --- data merging ---------------------------------------------------------------------------
  // Merges columnar points (ms times in column 0) into `local`: the same time replaces, newer
  // times append, points older than the window go.
  function mergeColumns(local, incoming, now) {
    const t = incoming[0] || [];
    for (let i = 0; i < t.length; i++) {
      const ts = t[i] / 1000;
      const lt = local[0];
      let at = lt.length;
      while (at > 0 && lt[at - 1] > ts) at--;
      if (at > 0 && lt[at - 1] === ts) {
        for (let c = 1; c < local.length; c++) local[c][at - 1] = incoming[c] ? incoming[c][i] : null;
      } else {
        lt.splice(at, 0, ts);
        for (let c = 1; c < local.length; c++) local[c].splice(at, 0, incoming[c] ? incoming[c][i] : null);
      }
    }
    const cutoff = (now - WINDOW_MS) / 1000;
    let drop = 0;
    while (drop < local[0].length && local[0][drop] < cutoff) drop++;
    if (drop) for (const col of local) col.splice(0, drop);
  }

  // --- charts ------------------------------------------------------------------------------
  function hhmm(seconds) {
    const d = new Date(seconds * 1000);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: d.getSeconds() ? "2-digit" : undefined });
  }
  function chartWidth(el) { return Math.max(240, el.clientWidth || 300); }
  function makeChart(el, title, series, yRange) {
    const opts = {
      title, width: chartWidth(el), height: 150,
      scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
      series: [{}].concat(series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5,
                                               value: (u, v) => s.fmt(v) }))),
      // Clock times only: the default two-line date labels crowd the small charts.
      axes: [{ space: 70, values: (u, vals) => vals.map((v) => hhmm(v)) },
             { size: 76, values: (u, vals) => vals.map((v) => series[0].axis(v)) }],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    const data = [[]].concat(series.map(() => []));
    return { plot: new uPlot(opts, data, el), data, el };
  }
  const pct = { fmt: (v) => (v == null ? "–" : v.toFixed(1) + " %"), axis: (v) => v + "%" };
  function hostPanel(host) {
    const panel = document.createElement("div");
    panel.className = "host-panel";
    panel.dataset.host = host;
    panel.innerHTML = `<h3>${esc(host)}</h3><div class="host-charts">
      <div class="chart" data-series="cpu"></div><div class="chart" data-series="mem"></div>
      <div class="chart" data-series="disk"></div><div class="chart" data-series="net"></div></div>`;
    $("charts").appendChild(panel);
    const q = (s) => panel.querySelector(`[data-series="${s}"]`);
    const charts = {
      cpu: makeChart(q("cpu"), "CPU", [{ label: "usage", color: "#2b6cb0", ...pct }], [0, 100]),
      mem: makeChart(q("mem"), "Memory", [{ label: "used", color: "#805ad5", ...pct }], [0, 100]),
      disk: makeChart(q("disk"), "Disk (fullest)", [{ label: "used", color: "#b7791f", ...pct }], [0, 100]),
      net: makeChart(q("net"), "Network", [
        { label: "in", color: "#2f855a", fmt: bytesPerS, axis: bytesPerS },
        { label: "out", color: "#c53030", fmt: bytesPerS, axis: bytesPerS }]),
    };
    return { panel, charts, since: 0 };
  }
  function syncPanels() {
    for (const [host, p] of state.panels) {
      if (!state.selected.includes(host)) {
        for (const c of Object.values(p.charts)) c.plot.destroy();
        p.panel.remove();
        state.panels.delete(host);
      }
    }
    for (const host of state.selected) {
      if (!state.panels.has(host)) state.panels.set(host, hostPanel(host));
    }
  }
  async function refreshSeries(now) {
    if (state.seriesInFlight || state.panels.size === 0) return;
    state.seriesInFlight = true;
    try {
      // One request for every charted host; each asks from its own last point (inclusive, so
      // a step still filling is replaced).
      const since = Math.min(...[...state.panels.values()].map((p) => p.since));
      const hosts = [...state.panels.keys()].map(encodeURIComponent).join(",");
      const r = await fetch(`api/series?hosts=${hosts}&since=${since}`, { cache: "no-store" });
      if (!r.ok) return;
      const body = await r.json();
      for (const [host, p] of state.panels) {
        const s = body.hosts[host];
        if (!s) continue;
        let newest = p.since;
        for (const key of ["cpu", "mem", "disk", "net"]) {
          const chart = p.charts[key];
          mergeColumns(chart.data, s[key], body.now || now);
          chart.plot.setData(chart.data);
          const t = s[key][0];
          if (t.length) newest = Math.max(newest, t[t.length - 1]);
        }
        p.since = newest;
      }
    } catch (e) {
      // The stream's state shows the outage; the next tick tries again.
    } finally {
      state.seriesInFlight = false;
    }
  }
  function refreshHttp(http, now) {
    if (!state.httpChart) {
      const el = $("http-chart");
      const count = { fmt: (v) => (v == null ? "–" : v + "/s"), axis: (v) => v + "/s" };
      state.httpChart = makeChart(el, "Requests per second", [
        { label: "requests", color: "#2b6cb0", ...count },
        { label: "4xx", color: "#b7791f", ...count },
        { label: "5xx", color: "#c53030", ...count }]);
      state.httpData = state.httpChart.data;
    }
    mergeColumns(state.httpData, http.series, now);
    state.httpChart.plot.setData(state.httpData);
    const m = http.last_minute;
    $("http-summary").innerHTML =
      `<span>last minute: <b id="http-rps">${num(m.rps)}</b> req/s</span>` +
      `<span>4xx <b>${num(m.error_4xx_pct)} %</b></span><span>5xx <b>${num(m.error_5xx_pct)} %</b></span>` +
      `<span>${m.requests} requests</span>`;
    $("top-window").textContent = `(last ${Math.round(http.top_window_s / 60)} min)`;
    const rows = (list) => list.map((k) => `<tr><td>${esc(k.key)}</td><td class="num">${k.requests}</td>` +
      `<td class="num">${k.c4xx}</td><td class="num">${k.c5xx}</td><td class="num">${num(k.error_pct)}</td></tr>`).join("");
    $("top-ips").tBodies[0].innerHTML = rows(http.top_ips);
    $("top-urls").tBodies[0].innerHTML = rows(http.top_urls);
  }

  // --- tables ---------------------------------------------------------------------------------
  function renderHealth(h, now) {
    const k = $("kafka-state"), c = $("connect-state");
    k.dataset.state = h.kafka.state;
    k.textContent = "Kafka: " + h.kafka.state;
    k.title = h.kafka.error || "";
    c.dataset.state = h.connect.state;
    c.textContent = "Connect: " + h.connect.state;
    c.title = h.connect.error || "";
    const banners = [];
    if (h.kafka.state === "unreachable") {
      banners.push(`<div class="banner" id="kafka-banner">Kafka is unreachable since ${esc(ago(h.kafka.since, now))}: ` +
        `${esc(h.kafka.error)}. Charts and alerts show the last data received.</div>`);
    }
    if (h.connect.state === "unreachable") {
      banners.push(`<div class="banner" id="connect-banner">sentinel-connect is unreachable: ${esc(h.connect.error)}. ` +
        `Connector states are the last known.</div>`);
    }
    if (state.streamDown) {
      banners.push(`<div class="banner" id="stream-banner">Lost the connection to the dashboard server; retrying. ` +
        `Everything on this page is as of ${esc(new Date(state.lastTick || Date.now()).toLocaleTimeString())}.</div>`);
    }
    const html = banners.join("");
    if ($("banners").innerHTML !== html) $("banners").innerHTML = html;
  }
  function renderAlerts(a, now) {
    $("firing-count").textContent = a.firing.length ? `${a.firing.length} firing` : "";
    $("no-firing").hidden = a.firing.length > 0;
    $("alerts-firing").tBodies[0].innerHTML = a.firing.map((x) =>
      `<tr data-id="${esc(x.id)}" class="firing"><td class="state state-${esc(x.severity)}">${esc(x.severity || "")}</td>` +
      `<td>${esc(x.rule)}</td><td>${esc(x.host)}</td><td>${when(x.since, now)}</td>` +
      `<td class="num">${num(x.value, 2)}</td><td class="num">${num(x.threshold, 2)}</td>` +
      `<td class="summary-cell">${esc(x.summary)}</td></tr>`).join("");
    $("resolved-count").textContent = a.resolved.length;
    $("alerts-resolved").tBodies[0].innerHTML = a.resolved.map((x) =>
      `<tr data-id="${esc(x.id)}" class="resolved"><td>${esc(x.rule)}</td><td>${esc(x.host)}</td>` +
      `<td>${when(x.since, now)}</td><td>${when(x.ts, now)}</td><td class="num">${num(x.value, 2)}</td>` +
      `<td class="num">${num(x.threshold, 2)}</td><td class="summary-cell">${esc(x.summary)}</td></tr>`).join("");
  }
  const STATE_ORDER = { alerting: 0, silent: 1, ok: 2 };
  function visibleHosts(hosts) {
    const f = state.filter.toLowerCase();
    return hosts.filter((h) => !f || h.host.toLowerCase().includes(f))
      .sort((a, b) => (STATE_ORDER[a.state] - STATE_ORDER[b.state]) || a.host.localeCompare(b.host));
  }
  function renderHosts(hosts, now) {
    const counts = { ok: 0, alerting: 0, silent: 0 };
    for (const h of hosts) counts[h.state] = (counts[h.state] || 0) + 1;
    $("host-counts").textContent = `${hosts.length} hosts: ${counts.alerting} alerting, ${counts.silent} silent, ${counts.ok} ok`;
    $("no-hosts").hidden = hosts.length > 0;
    const list = visibleHosts(hosts);
    const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    state.hostPage = Math.min(state.hostPage, pages - 1);
    $("host-page").textContent = `page ${state.hostPage + 1} / ${pages}`;
    const page = list.slice(state.hostPage * PAGE_SIZE, (state.hostPage + 1) * PAGE_SIZE);
    $("hosts").tBodies[0].innerHTML = page.map((h) => {
      const sel = state.selected.includes(h.host);
      return `<tr data-host="${esc(h.host)}" class="${sel ? "selected" : ""}"><td>${sel ? "●" : ""}</td>` +
        `<td>${esc(h.host)}</td><td class="state state-${esc(h.state)}">${esc(h.state)}${h.alerts ? ` (${h.alerts})` : ""}</td>` +
        `<td class="num">${num(h.cpu)}</td><td class="num">${num(h.mem)}</td><td class="num">${num(h.disk)}</td>` +
        `<td class="num">${bytesPerS(h.rx)}</td><td class="num">${bytesPerS(h.tx)}</td><td>${when(h.last_seen, now)}</td></tr>`;
    }).join("");
    if (state.autoSelect) {
      const first = visibleHosts(hosts).slice(0, 4).map((h) => h.host);
      if (first.join() !== state.selected.join()) state.selected = first;
    }
  }
  function renderConnectors(c, now) {
    const msg = $("connect-message");
    if (c.state === "unreachable") {
      msg.textContent = `sentinel-connect unreachable: ${c.error}` + (c.checked_at ? ` (checked ${ago(c.checked_at, now)})` : "");
    } else if (c.state === "unknown") {
      msg.textContent = "Asking sentinel-connect…";
    } else {
      msg.textContent = c.connectors.length ? "" : "No connector is configured in sentinel-connect.";
    }
    msg.hidden = msg.textContent === "";
    $("connectors").classList.toggle("stale", c.state !== "ok");
    $("connectors").tBodies[0].innerHTML = c.connectors.map((x) =>
      `<tr data-connector="${esc(x.name)}"><td>${esc(x.name)}</td><td>${esc(x.type)}</td>` +
      `<td class="state state-${esc(x.state)}" title="${esc(x.trace || "")}">${esc(x.state)}</td>` +
      `<td>${x.tasks.map((t) => `<span class="state state-${esc(t.state)}" title="${esc(t.trace || "")}">#${esc(t.id)} ${esc(t.state)}</span>`).join(" ")}</td>` +
      `<td>${esc(x.worker_id)}</td></tr>`).join("");
  }

  function render(s) {
    const t0 = performance.now();
    state.snapshot = s;
    state.lastTick = s.now;
    state.ticks++;
    const now = s.now;
    renderHealth(s.health, now);
    renderAlerts(s.alerts, now);
    renderHosts(s.hosts, now);
    renderConnectors(s.connectors, now);
    refreshHttp(s.http, now);
    syncPanels();
    refreshSeries(now);
    $("updated").textContent = "updated " + new Date(now).toLocaleTimeString();
    const ms = performance.now() - t0;
    state.renderMs.push(ms);
    if (state.renderMs.length > 60) state.renderMs.shift();
  }

  // --- wiring ---------------------------------------------------------------------------------
  $("hosts").tBodies[0].addEventListener("click", (e) => {
    const tr = e.target.closest("tr[data-host]");
    if (!tr) return;
    const host = tr.dataset.host;
    if (state.autoSelect) { state.autoSelect = false; state.selected = []; }
    const i = state.selected.indexOf(host);
    if (i >= 0) state.selected.splice(i, 1);
    else { state.selected.push(host); if (state.selected.length > MAX_CHARTED) state.selected.shift(); }
    if (state.snapshot) render(state.snapshot);
  });
  $("host-filter").addEventListener("input", (e) => {
    state.filter = e.target.value;
    state.hostPage = 0;
    if (state.snapshot) renderHosts(state.snapshot.hosts, state.snapshot.now);
  });
  $("host-prev").addEventListener("click", () => { state.hostPage = Math.max(0, state.hostPage - 1); if (state.snapshot) renderHosts(state.snapshot.hosts, state.snapshot.now); });
  $("host-next").addEventListener("click", () => { state.hostPage++; if (state.snapshot) renderHosts(state.snapshot.hosts, state.snapshot.now); });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      const all = [...state.panels.values()].flatMap((p) => Object.values(p.charts));
      if (state.httpChart) all.push(state.httpChart);
      for (const c of all) c.plot.setSize({ width: chartWidth(c.el), height: 150 });
    }, 200);
  });

  function setStream(name) {
    const el = $("stream-state");
    el.dataset.state = name;
    el.textContent = "Live: " + name;
    state.streamDown = name === "disconnected";
    if (state.snapshot) renderHealth(state.snapshot.health, state.snapshot.now);
  }
  function connect() {
    const es = new EventSource("events");
    es.addEventListener("open", () => setStream("live"));
    es.addEventListener("state", (e) => {
      if (state.streamDown) setStream("live");
      render(JSON.parse(e.data));
    });
    // EventSource reconnects by itself (retry: 2000 from the server).
    es.addEventListener("error", () => setStream("disconnected"));
  }
  fetch("api/state", { cache: "no-store" }).then((r) => r.json()).then(render).catch(() => setStream("disconnected"));
  connect();

  // For the end-to-end test and for curious operators (window.sentinelDashboard in the console).
  window.sentinelDashboard = {
    ticks: () => state.ticks,
    chartedHosts: () => [...state.panels.keys()],
    chartPoints: () => [...state.panels.values()].reduce(
      (n, p) => n + Object.values(p.charts).reduce((m, c) => m + c.data[0].length, 0), 0),
    httpPoints: () => state.httpData[0].length,
    renderMs: () => state.renderMs.slice(),
    hostRows: () => document.querySelectorAll("#hosts tbody tr").length,
  };
})();
