// Holdout check charts (ECharts, served from node_modules): predicted vs actual.
(function () {
  const data = JSON.parse(document.getElementById("holdout-data").textContent);
  const zh = document.documentElement.lang.startsWith("zh");
  const actual = zh ? "实际" : "Actual";
  const predicted = zh ? "预测" : "Predicted";
  const end = data.weeks.length - data.holdout_weeks;
  echarts.init(document.getElementById("chart-weekly")).setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [actual, predicted] },
    xAxis: { type: "category", data: data.weeks, name: zh ? "周" : "week" },
    yAxis: { type: "value" },
    series: [
      { name: actual, type: "line", data: data.actual_cumulative, showSymbol: false,
        markLine: { symbol: "none", data: [{ xAxis: end - 1 }] } },
      { name: predicted, type: "line", data: data.predicted_cumulative, showSymbol: false,
        lineStyle: { type: "dashed" } },
    ],
  });
  echarts.init(document.getElementById("chart-frequency")).setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [actual, predicted] },
    xAxis: { type: "category", data: data.buckets, name: zh ? "校准期购买次数" : "calibration purchases" },
    yAxis: { type: "value" },
    series: [
      { name: actual, type: "bar", data: data.actual_by_frequency },
      { name: predicted, type: "bar", data: data.predicted_by_frequency },
    ],
  });
})();
