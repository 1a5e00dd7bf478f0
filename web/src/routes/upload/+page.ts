// Only signed-in users may upload; everyone else goes to the sign-in form.
import { redirect } from "@sveltejs/kit";
import { auth } from "$lib/auth.svelte";

export function load(): void {
  if (!auth.signedIn) redirect(307, "/");
}
