// Prepares real data for measuring attention extractors, offline, into .cache/real-data/:
//   models/{mobilenet_v2_mid,mobilenet_v2,inception_v3}/  model.json + binary weight shards
//   photos/                                               natural photographs with a clear subject
// The models come from the nsfwjs npm package (ImageNet-trained backbones, heads fine-tuned for
// another task), the photographs from the sample-data folders of Debian packages. Neither is a
// dependency or a test fixture: they are for scripts/measure-saliency.ts only. Idempotent: what is
// already there is kept. Run with `node scripts/real-data.mjs`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.cache/real-data');
const MODELS = ['mobilenet_v2_mid', 'mobilenet_v2', 'inception_v3'];

const SKIMAGE = 'usr/lib/python3/dist-packages/skimage/data';
const OPENCV = 'usr/share/doc/opencv-doc/examples';
// Chosen before any measurement, by looking at the images: one clear subject each, photographs
// only. Left out on purpose: HappyFish and Minduka_Present_Blue_Pack (clip-art), aero1 and aero3
// (aerial views with no subject), and textures, charts, text scans and synthetic test patterns.
const PHOTOS = {
  astronaut: [`${SKIMAGE}/astronaut.png`, 'python3-skimage'],
  coffee: [`${SKIMAGE}/coffee.png`, 'python3-skimage'],
  chelsea: [`${SKIMAGE}/chelsea.png`, 'python3-skimage'],
  rocket: [`${SKIMAGE}/rocket.jpg`, 'python3-skimage'],
  motorcycle_left: [`${SKIMAGE}/motorcycle_left.png`, 'python3-skimage'],
  camera: [`${SKIMAGE}/camera.png`, 'python3-skimage'],
  grace_hopper: ['usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg', 'python-matplotlib-data'],
  china: ['usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg', 'python3-sklearn'],
  flower: ['usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg', 'python3-sklearn'],
  fruits: [`${OPENCV}/data/fruits.jpg`, 'opencv-doc'],
  baboon: [`${OPENCV}/data/baboon.jpg`, 'opencv-doc'],
  squirrel_cls: [`${OPENCV}/data/squirrel_cls.jpg`, 'opencv-doc'],
  messi5: [`${OPENCV}/data/messi5.jpg`, 'opencv-doc'],
  orange: [`${OPENCV}/data/orange.jpg`, 'opencv-doc'],
  apple: [`${OPENCV}/data/apple.jpg`, 'opencv-doc'],
  butterfly: [`${OPENCV}/data/butterfly.jpg`, 'opencv-doc'],
  monarch_wing: [`${OPENCV}/dnn_superres/butterfly.png`, 'opencv-doc'],
  plant: [`${OPENCV}/alphamat/input_images/plant.jpg`, 'opencv-doc'],
  aloe: [`${OPENCV}/data/aloeL.jpg`, 'opencv-doc'],
  chicky_512: [`${OPENCV}/data/chicky_512.png`, 'opencv-doc'],
  smarties: [`${OPENCV}/data/smarties.png`, 'opencv-doc'],
  basketball1: [`${OPENCV}/data/basketball1.png`, 'opencv-doc'],
  stuff: [`${OPENCV}/data/stuff.jpg`, 'opencv-doc'],
};

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
const temp = mkdtempSync(join(tmpdir(), 'real-data-'));
try {
  prepareModels();
  preparePhotos();
} finally {
  rmSync(temp, { recursive: true, force: true });
}

function prepareModels() {
  const missing = MODELS.filter((m) => !existsSync(join(out, 'models', m, 'model.json')));
  if (missing.length === 0) return console.log('models: already there');
  run('npm', ['pack', 'nsfwjs@4.4.0', '--silent'], temp);
  run('tar', ['xzf', 'nsfwjs-4.4.0.tgz'], temp);
  const require = createRequire(join(temp, 'package', 'index.js'));
  for (const name of missing) {
    const from = join(temp, 'package/dist/models', name);
    const dir = join(out, 'models', name);
    mkdirSync(dir, { recursive: true });
    // Each file is a UMD module: model.min.js exports the model JSON, each shard a base64 string.
    const model = require(join(from, 'model.min.js'));
    for (const group of model.weightsManifest) {
      for (const path of group.paths) writeFileSync(join(dir, path), Buffer.from(require(join(from, `${path}.min.js`)), 'base64'));
    }
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model)); // written last: its presence means complete
    console.log(`models: wrote ${name}`);
  }
}

function preparePhotos() {
  const dir = join(out, 'photos');
  mkdirSync(dir, { recursive: true });
  const target = (name, path) => join(dir, name + path.slice(path.lastIndexOf('.')));
  const todo = Object.entries(PHOTOS).filter(([name, [path]]) => !existsSync(target(name, path)));
  if (todo.length === 0) return console.log(`photos: all ${Object.keys(PHOTOS).length} already there`);
  const packages = [...new Set(todo.map(([, [, pkg]]) => pkg))];
  run('apt-get', ['download', ...packages], temp);
  const tree = join(temp, 'tree');
  for (const deb of readdirSync(temp).filter((f) => f.endsWith('.deb'))) run('dpkg-deb', ['-x', deb, tree], temp);
  for (const [name, [path]] of todo) copyFileSync(join(tree, path), target(name, path));
  console.log(`photos: copied ${todo.length} (${todo.map(([n]) => n).join(', ')})`);
}
