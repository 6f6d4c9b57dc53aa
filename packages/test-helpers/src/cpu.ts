/**
 * CPU time for tests that bound a cost against a floor measured in the same rounds (a busy machine
 * slows both): milliseconds of this process's CPU, user and system, since `since`.
 */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
