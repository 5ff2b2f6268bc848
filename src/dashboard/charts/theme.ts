/** Chart colours from the page's CSS variables, so charts follow light and dark mode. */
export interface ChartTheme {
  axis: string;
  grid: string;
  text: string;
  background: string;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    axis: read('--muted', '#6b7280'),
    grid: read('--grid', '#e5e7eb'),
    text: read('--fg', '#111827'),
    background: read('--panel', '#ffffff'),
  };
}

export const darkQuery = (): MediaQueryList => matchMedia('(prefers-color-scheme: dark)');
