// Every chart of the console, drawn by Chart.js: the training curves, the confusion matrix (chartjs-chart-matrix,
// with counts from chartjs-plugin-datalabels) and a prediction's probabilities.
import { Chart, registerables } from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import ChartDataLabels from 'chartjs-plugin-datalabels';

Chart.register(...registerables, MatrixController, MatrixElement);
// Tests and curious users read what a chart shows with Chart.getChart(canvas).
window.Chart = Chart;

const BLUE = '#1f5fbf';
const ORANGE = '#d9730d';
const GREEN = '#1b7f3b';

/** Train and validation loss (left axis) and validation accuracy (right axis), one point per epoch. */
export function curves(canvas) {
  const series = (label, color, axis, dash) => ({
    label, data: [], borderColor: color, backgroundColor: color, yAxisID: axis, borderDash: dash,
    pointRadius: 2, tension: 0,
  });
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [series('train loss', BLUE, 'loss'), series('validation loss', ORANGE, 'loss', [6, 3]),
        series('validation accuracy', GREEN, 'accuracy')],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } },
        loss: { type: 'linear', position: 'left', title: { display: true, text: 'loss' }, beginAtZero: true },
        accuracy: { type: 'linear', position: 'right', min: 0, max: 1, title: { display: true, text: 'accuracy' },
          grid: { drawOnChartArea: false } },
      },
    },
  });
  return {
    add(metrics) {
      const [train, validation, accuracy] = chart.data.datasets;
      train.data.push({ x: metrics.epoch, y: metrics.trainLoss });
      validation.data.push({ x: metrics.epoch, y: metrics.validationLoss });
      accuracy.data.push({ x: metrics.epoch, y: metrics.validationAccuracy });
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
}

/** The confusion matrix as a heatmap: row the true class, column the predicted one, each cell's count on it. */
export function confusionMatrix(canvas, classes, matrix) {
  const max = Math.max(1, ...matrix.flat());
  const cells = matrix.flatMap((row, t) => row.map((v, p) => ({ x: classes[p], y: classes[t], v })));
  return new Chart(canvas, {
    type: 'matrix',
    plugins: [ChartDataLabels],
    data: {
      datasets: [{
        label: 'images',
        data: cells,
        backgroundColor: (c) => {
          const v = c.raw ? c.raw.v : 0;
          const correct = c.raw && c.raw.x === c.raw.y;
          const alpha = 0.08 + 0.92 * (v / max);
          return correct ? `rgba(27, 127, 59, ${alpha})` : `rgba(179, 38, 30, ${v ? alpha : 0.04})`;
        },
        borderColor: '#fff',
        borderWidth: 1,
        width: ({ chart }) => (chart.chartArea || {}).width / classes.length - 1,
        height: ({ chart }) => (chart.chartArea || {}).height / classes.length - 1,
      }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        datalabels: {
          formatter: (cell) => cell.v,
          color: (c) => (c.dataset.data[c.dataIndex].v / max > 0.55 ? '#fff' : '#1d2430'),
          font: { weight: 600, size: 15 },
        },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (c) => `true ${c.raw.y}, predicted ${c.raw.x}: ${c.raw.v}`,
          },
        },
      },
      scales: {
        x: { type: 'category', labels: classes, offset: true, position: 'top', grid: { display: false },
          title: { display: true, text: 'predicted' } },
        y: { type: 'category', labels: classes, offset: true, reverse: false, grid: { display: false },
          title: { display: true, text: 'true' } },
      },
    },
  });
}

/** A prediction's probability per class, as horizontal bars, most likely first. */
export function probabilities(canvas, predictions) {
  const sorted = [...predictions].sort((a, b) => b.probability - a.probability);
  return new Chart(canvas, {
    type: 'bar',
    plugins: [ChartDataLabels],
    data: {
      labels: sorted.map((p) => p.className),
      datasets: [{ label: 'probability', data: sorted.map((p) => p.probability), backgroundColor: BLUE }],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        datalabels: { anchor: 'end', align: 'end', formatter: (v) => `${(v * 100).toFixed(1)}%` },
      },
      scales: { x: { min: 0, max: 1.15, ticks: { callback: (v) => (v <= 1 ? `${v * 100}%` : '') } } },
    },
  });
}
