/** PUBLIC_PATHS matching: exact paths, or prefixes written with a trailing `*`. */
export function isPublicPath(pathname: string, publicPaths: readonly string[]): boolean {
  for (const p of publicPaths) {
    if (p.endsWith('*') ? pathname.startsWith(p.slice(0, -1)) : pathname === p) return true;
  }
  return false;
}
