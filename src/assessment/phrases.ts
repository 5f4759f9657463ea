/** Text as compared for matching: lower case, accents dropped ("pulmón" is "pulmon"), words between spaces. */
export const normalised = (s: string) => ` ${s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;
