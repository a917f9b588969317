import { describe, expect, it } from 'vitest';
import { createStore } from './store';

describe('createStore', () => {
  it('tells every subscriber about each change until it unsubscribes', () => {
    const store = createStore(1);
    const seen: number[] = [];
    expect(store.watched()).toBe(false);
    const unsubscribe = store.subscribe(() => seen.push(store.get()));
    expect(store.watched()).toBe(true);
    store.set(2);
    store.set(3);
    unsubscribe();
    store.set(4);
    expect(seen).toEqual([2, 3]);
    expect(store.get()).toBe(4);
    expect(store.watched()).toBe(false);
  });
});
