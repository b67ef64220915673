// KPI dashboard charts (ECharts from node_modules, served as static files; nothing from a CDN).
// Rate cards: this period vs the previous one, the target as a dashed mark line.
// Distributions: clicking a bar opens the customer list filtered to that slice.
(function () {
  var data = JSON.parse(document.getElementById("kpi-data").textContent);
  if (typeof echarts === "undefined") return;
  var L = data.labels;
  var charts = [];
  function chartIn(el) { var c = echarts.init(el); charts.push(c); return c; }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  var byKey = {};
  data.kpis.forEach(function (k) { byKey[k.key] = k; });

  document.querySelectorAll(".kpi-chart").forEach(function (el) {
    var k = byKey[el.dataset.kpi];
    var series = { type: "bar", barWidth: "40%", data: [k.previous, k.value],
      itemStyle: { color: function (p) { return p.dataIndex === 1 ? "#1664ff" : "#c2d6ff"; } },
      label: { show: true, position: "top", formatter: function (p) { return p.value == null ? "—" : p.value + "%"; } } };
    if (k.target !== null) {
      series.markLine = { symbol: "none", lineStyle: { type: "dashed", color: "#d83931" },
        label: { formatter: L.target + (k.target_direction === "lte" ? " ≤ " : " ≥ ") + k.target + "%" },
        data: [{ yAxis: k.target }] };
    }
    chartIn(el).setOption({
      grid: { left: 36, right: 70, top: 20, bottom: 20 },
      xAxis: { type: "category", data: [L.last_period, L.this_period] },
      yAxis: { type: "value", min: 0, max: 100 }, series: [series],
      tooltip: { formatter: function (p) { return (p.dataIndex ? L.current : L.previous) + ": " + (p.value == null ? "—" : p.value + "%"); } } });
  });

  document.querySelectorAll(".dist-chart").forEach(function (el) {
    var slices = data.distributions[el.dataset.dimension];
    var chart = chartIn(el);
    chart.setOption({
      tooltip: {}, grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: slices.map(function (s) { return s.label; }), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: L.customers },
      series: [{ type: "bar", data: slices.map(function (s) {
        return { value: s.count, url: s.url, itemStyle: s.url ? {} : { color: "#8f959e" } }; }) }] });
    chart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
  });

  chartIn(document.getElementById("chart-clv")).setOption({
    tooltip: {}, grid: { left: 50, right: 20, top: 20, bottom: 60 },
    xAxis: { type: "category", data: data.clv_histogram.map(function (s) { return s.label; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", name: L.customers },
    series: [{ type: "bar", data: data.clv_histogram.map(function (s) { return s.count; }) }] });

  var top = byKey.revenue_top20_share;
  var lorenz = { name: L.lorenz, type: "line", smooth: false,
    data: data.lorenz.map(function (p) { return [p.customers_pct, p.revenue_pct]; }),
    markLine: { symbol: "none", lineStyle: { type: "dashed" }, label: { formatter: "20%" }, data: [{ xAxis: 20 }] } };
  if (top && top.target !== null) {
    // The concentration target: the top fifth should earn at most this share.
    lorenz.markLine.data.push({ yAxis: top.target, label: { formatter: L.target + " ≤ " + top.target + "%" } });
  }
  chartIn(document.getElementById("chart-lorenz")).setOption({
    tooltip: { trigger: "axis" }, legend: {}, grid: { left: 50, right: 30, top: 30, bottom: 40 },
    xAxis: { type: "value", min: 0, max: 100, name: L.lorenz_x, nameLocation: "middle", nameGap: 25 },
    yAxis: { type: "value", min: 0, max: 100, name: L.lorenz_y },
    series: [lorenz, { name: L.equality, type: "line", data: [[0, 0], [100, 100]], lineStyle: { type: "dotted" }, symbol: "none" }] });
})();
