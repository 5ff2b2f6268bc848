// The browser demo: the same training code as the Node demo, tracked from a page.
import { train } from './model.mjs';

const { Experiment } = window.PolyaxonTracking;
const $ = (id) => document.getElementById(id);
$('dashboard').href = window.DEMO.dashboard;

const losses = [];
const accuracies = [];

function plot(id, values, max) {
  const points = values.map((value, i) => `${(i / Math.max(values.length - 1, 1)) * 600},${220 - (value / max) * 210}`);
  $(id).setAttribute('points', points.join(' '));
}

$('train').addEventListener('click', async () => {
  $('train').disabled = true;
  losses.length = 0;
  accuracies.length = 0;
  await tf.setBackend($('backend').value);
  const experiment = new Experiment({ project: window.DEMO.project });
  const timer = setInterval(() => {
    const stats = experiment.stats()?.outbox;
    if (stats) $('queue').textContent = `${stats.sent} sent, ${stats.pending} pending, storage ${stats.storage}${stats.paused ? ` (paused: ${stats.pausedReason})` : ''}`;
    $('status').textContent = experiment.lastStatus ?? '–';
  }, 250);
  try {
    await experiment.create({ name: 'browser-spirals', tags: ['demo', 'browser'], framework: 'tensorflow.js' });
    $('experiment').textContent = experiment.id === undefined ? 'offline: created when the server is back' : `#${experiment.id}`;
    await train(tf, experiment, {
      epochs: 40,
      onEpochEnd: (epoch, logs) => {
        losses.push(logs.loss);
        accuracies.push(logs.acc);
        plot('loss', losses, Math.max(...losses));
        plot('acc', accuracies, 1);
        $('epoch').textContent = `${epoch}  loss ${logs.loss.toFixed(4)}  acc ${logs.acc.toFixed(3)}`;
      },
    });
    await experiment.flush({ timeoutMs: 10_000 });
  } catch (error) {
    $('status').textContent = `error: ${error.message}`;
  } finally {
    setTimeout(() => clearInterval(timer), 2_000);
    $('train').disabled = false;
  }
});
