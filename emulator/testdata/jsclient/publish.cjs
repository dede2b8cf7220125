// publish.cjs drives the emulator with the Azure JavaScript SDK (@azure/arm-compute 25.1.1, or the
// old-style 23.3.0 with EMU_STYLE=old; @azure/arm-resources 8.0.0, @azure/identity 4.14.1): a resource
// group, a disk, a managed image,
// a gallery, a definition and a version, then reads them back. It prints one JSON line with what it
// read; emulator/jsclient_test.go checks it. Environment: EMU_ENDPOINT, EMU_TENANT, EMU_CLIENT_ID,
// EMU_CLIENT_SECRET, EMU_SUBSCRIPTION, EMU_AUDIENCE; NODE_EXTRA_CA_CERTS trusts the emulator's CA.
const { ClientSecretCredential } = require("@azure/identity");
const { ComputeManagementClient } = require("@azure/arm-compute");
const { ResourceManagementClient } = require("@azure/arm-resources");

async function main() {
  const env = process.env;
  const endpoint = env.EMU_ENDPOINT;
  const cred = new ClientSecretCredential(env.EMU_TENANT, env.EMU_CLIENT_ID, env.EMU_CLIENT_SECRET, {
    authorityHost: endpoint,
    disableInstanceDiscovery: true,
  });
  const scopes = [env.EMU_AUDIENCE.replace(/\/$/, "") + "/.default"];
  // The new-style clients (25.x) read credentials.scopes; the old autorest style (23.x) credentialScopes.
  const opts = { endpoint, credentials: { scopes }, credentialScopes: scopes };
  const fast = { updateIntervalInMs: 200 };
  const oldStyle = env.EMU_STYLE === "old";
  // create runs a long-running create: createOrUpdate (a poller to await) in the new style,
  // beginCreateOrUpdateAndWait in the old one.
  const create = (group, ...args) => oldStyle
    ? compute[group].beginCreateOrUpdateAndWait(...args, fast)
    : compute[group].createOrUpdate(...args, fast);
  const sub = env.EMU_SUBSCRIPTION;
  const rg = "rg-js", loc = "eastus";
  const resources = new ResourceManagementClient(cred, sub, opts);
  const compute = new ComputeManagementClient(cred, sub, opts);

  await resources.resourceGroups.createOrUpdate(rg, { location: loc });
  const disk = await create("disks", rg, "src-disk", {
    location: loc,
    creationData: { createOption: "Empty" }, diskSizeGB: 4, osType: "Linux", hyperVGeneration: "V2",
  });
  const image = await create("images", rg, "src-image", {
    location: loc,
    hyperVGeneration: "V2",
    storageProfile: { osDisk: { osType: "Linux", osState: "Generalized", managedDisk: { id: disk.id } } },
  });
  await create("galleries", rg, "jsgallery", { location: loc, description: "from JS" });
  await create("galleryImages", rg, "jsgallery", "jsdef", {
    location: loc,
    osType: "Linux", osState: "Generalized", hyperVGeneration: "V2",
    identifier: { publisher: "js", offer: "sdk", sku: "25" },
  });
  const created = await create("galleryImageVersions", rg, "jsgallery", "jsdef", "1.0.0", {
    location: loc,
    storageProfile: { source: { id: image.id } },
    publishingProfile: { targetRegions: [{ name: "eastus", regionalReplicaCount: 1 }, { name: "westus", regionalReplicaCount: 1 }] },
  });
  const got = await compute.galleryImageVersions.get(rg, "jsgallery", "jsdef", "1.0.0", { expand: "ReplicationStatus" });
  const def = await compute.galleryImages.get(rg, "jsgallery", "jsdef");
  const versions = [];
  for await (const v of compute.galleryImageVersions.listByGalleryImage(rg, "jsgallery", "jsdef")) {
    versions.push(v.name);
  }
  console.log(JSON.stringify({
    created: created.provisioningState,
    version: got.provisioningState,
    source: got.storageProfile.source.id,
    aggregated: got.replicationStatus.aggregatedState,
    regions: got.replicationStatus.summary.map((s) => s.region + ":" + s.state),
    definition: def.identifier,
    securityType: (def.features || []).map((f) => f.name + "=" + f.value),
    versions,
  }));
}

main().catch((e) => {
  console.error("FAILED:", e && (e.stack || e.message || e));
  process.exit(1);
});
