import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PREPROCESSING_PRESETS } from '../../shared/pack.js';
import { bareExportMetadata, LABELS_TAG, parseLabels, PREPROCESS_TAG } from './bare-metadata.js';
import { PackError } from './pack.js';

const FIXTURES = join(import.meta.dirname, '../../tests/fixtures/models');
const liveness = JSON.parse(
  readFileSync(join(FIXTURES, 'human-liveness/model.json'), 'utf8'),
) as Record<string, unknown>;
const base = { modelJson: liveness, name: 'liveness', createdAt: '2025-01-02T03:04:05.000Z' };

describe('labels of a bare export', () => {
  it('labels.txt: one per line, ids made from the names, optional English and Russian columns', () => {
    expect(
      parseLabels('Salmo trutta\tBrown trout\tКумжа\nEsox lucius\r\n\n', 'labels.txt'),
    ).toEqual([
      { id: 'salmo-trutta', latin: 'Salmo trutta', names: { en: 'Brown trout', ru: 'Кумжа' } },
      { id: 'esox-lucius', latin: 'Esox lucius', names: {} },
    ]);
  });

  it('ids stay valid and unique whatever the names are', () => {
    const ids = parseLabels('Class 1\nclass 1\nЩука\nÉperlan!\n', 'labels.txt').map((l) => l.id);
    expect(ids).toEqual(['class-1', 'class-1-2', 'label-3', 'eperlan']);
  });

  it('a JSON list of names or of Fishlens labels works too', () => {
    expect(parseLabels('["a", "b"]', 'labels.json').map((l) => l.latin)).toEqual(['a', 'b']);
    expect(
      parseLabels('[{"id": "bream", "latin": "Abramis brama", "names": {"ru": "Лещ"}}]', 'l.json'),
    ).toEqual([{ id: 'bream', latin: 'Abramis brama', names: { ru: 'Лещ' } }]);
  });

  it('an empty line in the middle is refused: it would shift every label after it', () => {
    expect(() => parseLabels('a\n\nb\n', 'labels.txt')).toThrow(/line 2 is empty/);
  });

  it('a labels file beats a Teachable Machine metadata.json, which beats labels.txt, then userDefinedMetadata, then MLflow tags', () => {
    const all = {
      ...base,
      labelsFile: { name: 'mine.txt', text: 'from-file\nx\n' },
      metadataJson: { labels: ['from-tm', 'x'], imageSize: 32 },
      labelsTxt: 'from-txt\nx\n',
      modelJson: { ...liveness, userDefinedMetadata: { labels: ['from-udm', 'x'] } },
      tags: { [LABELS_TAG]: '["from-tag", "x"]' },
    };
    const first = (source: typeof all) => bareExportMetadata(source).metadata.labels[0]?.latin;
    expect(first(all)).toBe('from-file');
    const { labelsFile: _f, ...noFile } = all;
    expect(first(noFile as typeof all)).toBe('from-tm');
    const { metadataJson: _m, ...noTm } = noFile;
    expect(first(noTm as typeof all)).toBe('from-txt');
    const { labelsTxt: _t, ...noTxt } = noTm;
    expect(first(noTxt as typeof all)).toBe('from-udm');
    expect(first({ ...noTxt, modelJson: liveness } as typeof all)).toBe('from-tag');
  });

  it('converter --metadata holding {classes: [...]} is read too', () => {
    const { metadata } = bareExportMetadata({
      ...base,
      modelJson: { ...liveness, userDefinedMetadata: { info: { classes: ['fake', 'real'] } } },
    });
    expect(metadata.labels.map((l) => l.id)).toEqual(['fake', 'real']);
  });
});

describe('metadata.json for a bare export', () => {
  it('is a valid pack description: format and input from the model, labels, preprocessing preset', () => {
    const { metadata, notes } = bareExportMetadata({
      ...base,
      labelsTxt: 'fake\nreal\n',
      preset: 'unit',
      description: 'liveness',
    });
    expect(metadata).toMatchObject({
      format: 'fishlens-pack/1',
      name: 'liveness',
      modelFormat: 'tfjs-graph',
      input: { width: 32, height: 32, channels: 3 },
      preprocessing: PREPROCESSING_PRESETS.unit,
      createdAt: '2025-01-02T03:04:05.000Z',
    });
    expect(notes).toEqual(['2 labels from labels.txt.']);
  });

  it('Teachable Machine exports get mobilenet scaling; with nothing said, mobilenet is assumed and the note says so', () => {
    const tm = bareExportMetadata({ ...base, metadataJson: { labels: ['a', 'b'], imageSize: 32 } });
    expect(tm.metadata.preprocessing).toEqual(PREPROCESSING_PRESETS.mobilenet);
    expect(tm.notes.join(' ')).not.toMatch(/assuming/);
    const bare = bareExportMetadata({ ...base, labelsTxt: 'a\nb\n' });
    expect(bare.notes.join(' ')).toMatch(/assuming mobilenet.*--preprocess unit\|imagenet\|raw/);
  });

  it('the MLflow tag fishlens.preprocess names the preset; an unknown one is refused', () => {
    const tags = { [LABELS_TAG]: 'a\nb', [PREPROCESS_TAG]: 'imagenet' };
    expect(bareExportMetadata({ ...base, tags }).metadata.preprocessing.mean).toEqual([
      0.485, 0.456, 0.406,
    ]);
    expect(() =>
      bareExportMetadata({ ...base, tags: { ...tags, [PREPROCESS_TAG]: 'caffe' } }),
    ).toThrow(/unknown preprocessing "caffe": use one of mobilenet, unit, imagenet, raw/);
  });

  it('is refused with the reason when labels are missing or do not match the outputs', () => {
    expect(() => bareExportMetadata(base)).toThrow(PackError);
    expect(() => bareExportMetadata(base)).toThrow(/no labels: put a labels.txt/);
    expect(() => bareExportMetadata({ ...base, labelsTxt: 'a\nb\nc\n' })).toThrow(
      /cannot run in Fishlens: The model gives 2 scores per photo but there are 3 labels/,
    );
  });
});
