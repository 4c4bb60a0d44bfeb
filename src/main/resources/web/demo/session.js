// Connecting with a storefront token: the one the page found, or one the shopper enters when the
// gateway refuses it (or there is none). The token is never put in the page.

/** Whether a state change of the client says the token itself was refused. */
export function tokenRefused({ code, reason } = {}) {
  return code === 401 || code === 4401 || code === 'unauthorized' || code === 'token_expired'
    || (typeof reason === 'string' && /\b(unauthori[sz]ed|token)\b/i.test(reason) && code !== 1001);
}

/**
 * Opens the feed with `open(token)` and keeps it while it goes live; if the gateway refuses the
 * token, closes it and asks for another (unless the config gave it: then it only says so).
 */
export async function connectWithToken({ token, fromConfig, open, askForToken, forgetToken, onRefused }) {
  let current = token;
  let refusedOnce = false;
  for (;;) {
    if (!current) {
      current = await askForToken(refusedOnce);
      fromConfig = false;
    }
    const feed = open(current);
    const refused = await new Promise((resolve) => {
      const check = (change) => {
        if (change.state === 'live') {
          off();
          resolve(false);
        } else if (tokenRefused(change)) {
          off();
          resolve(true);
        }
      };
      const off = feed.on('state', check);
      if (feed.state === 'live') check({ state: 'live' });
    });
    if (!refused) {
      // A token that expires later closes the feed with 4401: ask for a fresh one then.
      const off = feed.on('state', (change) => {
        if (change.state === 'closed' && tokenRefused(change) && !fromConfig) {
          off();
          forgetToken();
          connectWithToken({ token: null, fromConfig: false, open, askForToken, forgetToken, onRefused });
        }
      });
      return feed;
    }
    feed.close();
    // The config's token cannot be replaced from the page: say so; any other is asked for again.
    onRefused(fromConfig);
    if (fromConfig) return null;
    forgetToken();
    refusedOnce = true;
    current = null;
  }
}
