import type { Page } from '@playwright/test';

/**
 * The words in Latin letters a person meets on the page in its language: the rendered text —
 * visually hidden text such as the skip link included, as screen readers read it out — and the
 * accessible names and hints in attributes. Not counted: what is not rendered (closed <details>,
 * <noscript>), what is marked as another language (`lang`: Latin species names, the language
 * switch's own names) or as not to be translated (`translate="no"`: photo credits). An attribute
 * cannot mark a part of itself as Latin, so a name the page shows marked as Latin may recur in
 * one ("Фото 1: Acanthurus nigrofuscus"); in text it must be marked where it stands.
 */
export async function englishWords(page: Page): Promise<string[]> {
  const words = await page.evaluate(() => {
    const language = document.documentElement.lang;
    const counts = (element: Element): boolean =>
      element.checkVisibility() &&
      !element.closest('script, style, noscript, [translate="no"]') &&
      (element.closest('[lang]')?.getAttribute('lang') ?? language) === language;
    const words = (text: string) => text.match(/[A-Za-z]{2,}/g) ?? [];
    const latin = new Set(
      [...document.body.querySelectorAll('[lang="la"]')].flatMap((e) => words(e.textContent ?? '')),
    );
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement && counts(node.parentElement)) texts.push(node.textContent ?? '');
    }
    const attributes: string[] = [];
    for (const element of document.body.querySelectorAll('*')) {
      if (!counts(element)) continue;
      for (const name of ['aria-label', 'title', 'alt', 'placeholder']) {
        attributes.push(element.getAttribute(name) ?? '');
      }
    }
    return [
      ...words(texts.join(' ')),
      ...words(attributes.join(' ')).filter((word) => !latin.has(word)),
    ];
  });
  return words.filter((word) => word !== 'Fishlens');
}
