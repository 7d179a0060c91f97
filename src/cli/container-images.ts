/** Which images and layers the containers of every project on this machine use (for rmi and image prune). */
import type { Cli } from './context';

/** Every container this machine's journals know, with the image it runs and the layer directories it mounts. */
export function containerImages(cli: Cli): Array<{ container: string; image?: string; layers: string[] }> {
  return cli.state.projects().flatMap((project) =>
    Object.entries(cli.state.readState(project)?.containers ?? {}).map(([container, c]) => ({
      container,
      ...(c.launch.image ? { image: c.launch.image.name } : {}),
      layers: c.launch.isolation ? [c.launch.isolation.rootfs, ...(c.launch.isolation.lowers ?? [])] : [],
    })),
  );
}
