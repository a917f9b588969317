import { describe, expect, it } from 'vitest';
import {
  exampleSpecies,
  packDescription,
  packTitle,
  speciesName,
  type SpeciesNames,
} from './names';

const display = {
  title: { en: 'River fish of Central Europe', ru: 'Речные рыбы Центральной Европы' },
  description: { en: 'From fish-pass cameras.' },
};

describe('pack words', () => {
  it('use the pack title and description in the interface language', () => {
    const pack = { name: 'river-fish', display, description: 'Seven river fish species.' };
    expect(packTitle(pack, 'ru')).toBe('Речные рыбы Центральной Европы');
    expect(packTitle(pack, 'en')).toBe('River fish of Central Europe');
  });
  it('fall back to English, then to the plain description and a readable name for bare exports', () => {
    const pack = { name: 'river-fish', display, description: 'Seven river fish species.' };
    expect(packDescription(pack, 'ru')).toBe('From fish-pass cameras.');
    const bare = { name: 'lake_fish-v2', description: 'A bare export.' };
    expect(packTitle(bare, 'ru')).toBe('Lake fish v2');
    expect(packDescription(bare, 'en')).toBe('A bare export.');
  });
});

describe('species names', () => {
  const species: SpeciesNames[] = [
    { latin: 'Plectroglyphidodon dickii', names: { en: 'blackbar devil' } },
    { latin: 'Zanclus cornutus', names: { en: 'Moorish idol', ru: 'мавританский идол' } },
    { latin: 'Chromis chrysura', names: { en: 'stout-body chromis' } },
    { latin: 'Amphiprion clarkii', names: { en: "Clark's anemonefish", ru: 'амфиприон Кларка' } },
  ];
  it('name a species in the interface language, else by its Latin name (never in another language)', () => {
    expect(speciesName(species[1]!, 'ru')).toBe('мавританский идол');
    expect(speciesName(species[0]!, 'ru')).toBe('Plectroglyphidodon dickii');
  });
  it('pick examples with a name in the language first, the better-known (more names) before others', () => {
    expect(exampleSpecies(species, 'ru', 3)).toEqual([
      'мавританский идол',
      'амфиприон Кларка',
      'Plectroglyphidodon dickii',
    ]);
    expect(exampleSpecies(species, 'en', 2)).toEqual(['Moorish idol', "Clark's anemonefish"]);
  });
});
