import '@mantine/core/styles.css';
import './print.css';
import { Anchor, Badge, Button, createTheme, Pagination, Table, darken, DEFAULT_THEME, defaultVariantColorsResolver, luminance, MantineProvider, Modal, parseThemeColor, type CSSVariablesResolver, type MantineColorsTuple, type VariantColorsResolver } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { setNonce } from 'get-nonce';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App.tsx';
// The catalogue is ready before anything renders (its words are bundled, not fetched).
import i18n from './i18n.ts';

/** Contrast of a colour against white (WCAG): small text needs 4.5:1. */
const onWhite = (c: string) => 1.05 / (luminance(c) + 0.05);
const AA = 4.5;

// Every badge and button reaches WCAG AA contrast (4.5:1 for small text): light (tinted) ones take
// a darkened darkest shade for text; filled, subtle and outline ones in a hue too light for it
// (green, orange, red, teal…) a darker background or text.
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  const parsed = parseThemeColor({ color: input.color || input.theme.primaryColor, theme: input.theme });
  const shades = parsed.isThemeColor ? input.theme.colors[parsed.color] : undefined;
  if (!shades) return colors;
  const shade = shades[parsed.shade ?? 8];
  if (input.variant === 'light') return { ...colors, color: darken(shades[9], 0.35) };
  if (onWhite(shade) >= AA) return colors;
  if (input.variant === 'filled') return { ...colors, background: darken(shade, 0.3), hover: darken(shade, 0.4) };
  if (input.variant === 'subtle' || input.variant === 'outline') return { ...colors, color: darken(shade, 0.3), border: input.variant === 'outline' ? `1px solid ${darken(shade, 0.3)}` : colors.border };
  return colors;
};

// Text in green or orange (e.g. "On file", "Missing") at shade 9 is about 4:1 on white; a darker 9 reaches 4.5:1.
const withDarkest = (hue: 'green' | 'orange', darkest: string) => [...DEFAULT_THEME.colors[hue].slice(0, 9), darkest] as unknown as MantineColorsTuple;

// Contrast at WCAG AA: a darker primary shade and secondary text, and links that are underlined.
const theme = createTheme({
  variantColorResolver,
  colors: { green: withDarkest('green', '#1e6b2f'), orange: withDarkest('orange', '#a63c06') },
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 6 },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // A table too wide for a phone scrolls sideways in its box; keyboard users can scroll it too.
    TableScrollContainer: Table.ScrollContainer.extend({ defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } }),
    // Page controls say where they lead (the arrows have no text of their own).
    Pagination: Pagination.extend({ defaultProps: { getControlProps: (control) => ({ 'aria-label': i18n.t(`common:pages.${control}`) }), getItemProps: (page) => ({ 'aria-label': i18n.t('common:pages.page', { page }) }) } }),
    // A badge is a word or two: in a narrow table column it keeps them whole instead of "EXPEDI…".
    Badge: Badge.extend({ styles: { root: { minWidth: 'max-content' } } }),
    // A button's words wrap on a narrow screen instead of running past its edge: translations are
    // often longer than the English ("Empezar una solicitud con mis respuestas").
    // The inner box keeps the button's height, so a one-line label stays in the middle.
    Button: Button.extend({ styles: { root: { height: 'auto', minHeight: 'var(--button-height)', paddingBlock: 4 }, inner: { height: 'auto', minHeight: 'calc(var(--button-height) - 10px)' }, label: { whiteSpace: 'normal', textAlign: 'center' } } }),
    // The close button of a dialog is an icon: it needs a name for screen readers.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': i18n.t('common:close') } } }),
  },
});
const cssVariablesResolver: CSSVariablesResolver = () => ({ variables: {}, light: { '--mantine-color-dimmed': '#5c636a' }, dark: {} });
// The page's Content-Security-Policy admits inline <style> only with the nonce the server sent.
const styleNonce = (document.querySelector('meta[property="csp-nonce"]') as HTMLMetaElement | null)?.nonce || undefined;
// Modals lock page scrolling with a <style> element of their own (react-remove-scroll): same nonce.
if (styleNonce) setNonce(styleNonce);
// After an upgrade, a tab opened before it asks for a page's old file, which is gone: it loads the
// new version of the app instead (once a minute at most, so a file missing for another reason
// ends on the page's own message, not in a loop of reloads).
window.addEventListener('vite:preloadError', () => {
  const key = 'consilium:reloaded-for-upgrade';
  if (Date.now() - Number(sessionStorage.getItem(key) ?? 0) < 60_000) return;
  sessionStorage.setItem(key, String(Date.now()));
  window.location.reload();
});
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} getStyleNonce={() => styleNonce ?? ''}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
