// The opening of a page that depends on who is signed in: loading, then the page, with a
// retry when asking who is signed in fails. Shared by the /app/ pages and the console shell.

import { me } from "./api.js";
import { failure, loading, main, show } from "./ui.js";

/**
 * Show loading in ``#main``, ask who is signed in, then ``await render(user)`` (``user`` is
 * null when nobody is). When the question fails, ``#main`` shows the failure with a retry
 * that opens the page again.
 */
export async function openPage(render) {
  show(main, loading());
  let user;
  try {
    user = await me();
  } catch (error) {
    show(main, failure(error, () => openPage(render)));
    return;
  }
  await render(user);
}
