/** A project `name` whose one service, `client`, is only on another project's network joined as `external` by its name. */
export const joinerFile = (name: string, network: string) => `
name: ${name}
services:
  client:
    command: ["sleep", "infinity"]
    networks: [ext]
networks:
  ext:
    external: true
    name: ${network}
`;
