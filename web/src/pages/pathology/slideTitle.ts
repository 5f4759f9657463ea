import type { TFunction } from 'i18next';
import type { Slide } from './SlidesPanel.tsx';

/**
 * What a slide is called on screen. Staff read its name, which carries the file it came from (to
 * reconcile it with the records); the patient's side reads its block and stain when given, else
 * its place in the case's list of slides ("Slide 2"), the list's order being the server's (by
 * block, then as uploaded). `number` is set when the slide is called by its place, so a label can
 * say "View slide 2" rather than "View slide Slide 2". The server leaves the name out for the
 * patient's side, so a slide without one is called the patient's way whoever reads it.
 */
export function slideTitle(s: Pick<Slide, 'id' | 'name' | 'block' | 'stain'>, list: readonly Pick<Slide, 'id'>[], patientSide: boolean, t: TFunction): { name: string; number: number | null } {
  if (!patientSide && s.name) return { name: s.name, number: null };
  const given = [s.block, s.stain].filter(Boolean).join(' · ');
  if (given) return { name: given, number: null };
  const number = list.findIndex((o) => o.id === s.id) + 1;
  return number > 0 ? { name: t('records:slides.numbered', { number }), number } : { name: t('records:slides.title'), number: null };
}
