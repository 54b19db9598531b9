// The parser ships no types; tests use it to read /metrics output independently of our writer.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
