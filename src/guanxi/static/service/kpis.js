// Service KPI charts: rates against their targets (dashed mark lines), and response times.
(function () {
  var data = JSON.parse(document.getElementById("service-kpi-data").textContent);
  if (typeof echarts === "undefined") return;
  var rates = ["resolution_rate", "sla_attainment", "satisfaction"];
  var series = rates.map(function (key) {
    var s = { name: data.names[key], type: "line", data: data[key], connectNulls: true };
    if (data.targets[key] !== undefined) {
      s.markLine = { symbol: "none", lineStyle: { type: "dashed" },
        label: { formatter: data.names[key] + " ≥ " + data.targets[key] + "%" },
        data: [{ yAxis: data.targets[key] }] };
    }
    return s;
  });
  echarts.init(document.getElementById("chart-rates")).setOption({
    tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", min: 0, max: 100 }, series: series });
  echarts.init(document.getElementById("chart-times")).setOption({
    tooltip: { trigger: "axis" }, legend: {}, xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value" },
    series: ["first_response_hours", "first_handling_hours"].map(function (key) {
      return { name: data.names[key], type: "bar", data: data[key] }; }) });
})();
