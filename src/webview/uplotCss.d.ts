// esbuild's text loader (scripts/build.mjs) turns this stylesheet into a string the page injects.
declare module 'uplot/dist/uPlot.min.css' {
  const css: string;
  export default css;
}
