/**
 * The fleet traffic of `pnpm bench` and `bench:profile`: ~1 KB chat requests from many clients, as a
 * reverse proxy passes them on.
 */

// ~1 KB chat requests from many clients, as a reverse proxy would pass them on: each request comes from
// one of CLIENTS addresses (X-Forwarded-For, trusted from loopback by the shield; ignored by bare apps)
// and carries one of many distinct prompts, so the per-client checks (minimum interval, repeated input,
// budgets) see realistic traffic rather than one client hammering one prompt.
export const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20_000);
/** Cities of the travel prompts (also bench:pipeline's). */
export const cities = [
  'Lisbon',
  'Porto',
  'Seville',
  'Valencia',
  'Bologna',
  'Lyon',
  'Ghent',
  'Krakow',
  'Ljubljana',
  'Tallinn',
];
const months = ['March', 'April', 'May', 'June', 'September', 'October'];
const companions = ['my partner', 'two friends', 'my parents', 'our teenage kids', 'a colleague'];
const likes = [
  'walking, seafood, small museums',
  'markets, street food, jazz bars',
  'cycling, parks, bookshops',
  'architecture, wine, quiet viewpoints',
];
export const bodies = [];
for (const city of cities)
  for (const month of months)
    for (const who of companions)
      for (const like of likes)
        bodies.push(
          JSON.stringify({
            model: 'stand-in',
            messages: [
              {
                role: 'system',
                content: 'You are a helpful travel assistant. Answer briefly and cite no sources.',
              },
              {
                role: 'user',
                content: `I am planning a long weekend in ${city} in early ${month} with ${who}. We like ${like} rather than crowded tourist spots. Could you suggest a relaxed three-day plan, including which neighbourhoods to stay in, how to get around without a car, and one or two day trips that are easy by train? We would also like to know what the weather is usually like at that time of year and whether we should book restaurants in advance. Please keep the answer practical and mention approximate costs where you can, in euros. One of us does not eat meat and the other prefers to avoid long queues, so tips for good vegetarian places and for visiting the popular sights early in the morning would help a lot, as would a rainy-day alternative for each day.`,
              },
            ],
          }),
        );
export const averageBody = Math.round(bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length);
let sequence = 0;
export const nextRequest = (request) => {
  const n = sequence++;
  const client = (n * 7919) % CLIENTS; // a permutation: clients take turns
  request.headers = {
    'content-type': 'application/json',
    'x-forwarded-for': `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`,
  };
  request.body = bodies[(n * 31) % bodies.length];
  return request;
};
