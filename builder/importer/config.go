//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,DataDiskFile
//go:generate go tool packer-sdc struct-markdown

package importer

import (
	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// Config is the `azure-gallery-import` builder's configuration: the shared Azure auth block, exactly one
// source, and the managed image to create.
type Config struct {
	common.PackerConfig `mapstructure:",squash"`
	azure.Config        `mapstructure:",squash"`

	// A local disk image to upload: a fixed VHD (validated: footer cookie, checksum, and a size that is a
	// whole number of MiB plus the 512-byte footer) or a raw image (wrapped in a VHD footer and padded to
	// a whole MiB, at least 20 MiB, while uploading, with no temporary copy). Dynamic VHD, VHDX, qcow2 and
	// VMDK are refused with the `qemu-img convert` command that turns them into a fixed VHD. All-zero
	// ranges are skipped, so sparse images upload only their data. Exactly one `source_*` is required.
	SourceFile string `mapstructure:"source_file" required:"false"`
	// The URL of a generalized VHD page blob in a storage account, for example
	// `https://account.blob.core.windows.net/vhds/disk.vhd`. It is imported into a temporary managed disk,
	// from which the image is created. Requires `source_storage_account_id`.
	SourceVHDURI string `mapstructure:"source_vhd_uri" required:"false"`
	// The resource ID of the storage account that holds `source_vhd_uri`
	// (`/subscriptions/.../resourceGroups/.../providers/Microsoft.Storage/storageAccounts/NAME`).
	SourceStorageAccountID string `mapstructure:"source_storage_account_id" required:"false"`
	// The resource ID of a managed snapshot of a generalized OS disk to create the image from.
	SourceSnapshotID string `mapstructure:"source_snapshot_id" required:"false"`
	// The resource ID of a managed disk holding a generalized OS to create the image from. The disk must
	// not be attached to a running VM.
	SourceDiskID string `mapstructure:"source_disk_id" required:"false"`

	// The resource group the managed image (and the temporary upload disk) is created in. It must exist.
	ResourceGroup string `mapstructure:"resource_group" required:"true"`
	// The Azure region of the image, such as `eastus`. A source snapshot or disk must be in this region.
	Location string `mapstructure:"location" required:"true"`
	// The name of the managed image to create. The build fails, changing nothing, if an image of that
	// name already exists in `resource_group`.
	ImageName string `mapstructure:"image_name" required:"true"`
	// The operating system on the disk: `Linux` or `Windows`. The disk must be generalized
	// (waagent -deprovision or sysprep): the image is created with OS state `Generalized`.
	OSType string `mapstructure:"os_type" required:"true"`
	// The Hyper-V generation of VMs created from the image: `V1` (BIOS) or `V2` (UEFI). Defaults to `V1`,
	// as Azure does when the property is omitted; set `V2` for UEFI images, which is required for Arm64.
	HyperVGeneration string `mapstructure:"hyper_v_generation" required:"false"`
	// The CPU architecture of the OS on the disk: `x64` (the default) or `Arm64`. Managed images carry no
	// architecture, so it is set on the temporary upload disk and passed on in the artifact for the gallery
	// image definition.
	Architecture string `mapstructure:"architecture" required:"false"`
	// What the build leaves for the `azure-gallery` post-processor: `snapshot` (a snapshot named
	// `image_name`, made from the uploaded or imported disk or from `source_disk_id`; the default for
	// `hyper_v_generation = "V2"` and `Arm64`), `disk` (the managed disk itself, named `image_name` unless
	// `temp_disk_name` is set) or `managed_image` (a generalized managed image; the default for V1 x64).
	// Azure refuses managed images for Arm64 and Confidential VM images, so those need `snapshot` or `disk`.
	// A `source_snapshot_id` with `snapshot`, or a `source_disk_id` with `disk`, is passed on unchanged.
	PublishSource string `mapstructure:"publish_source" required:"false"`
	// Local data disk images to upload next to the OS disk, each left as a snapshot named
	// `image_name-lunN` that the post-processor publishes as the data disk at that LUN. Needs
	// `publish_source = "snapshot"`. Each file is checked and uploaded like `source_file`.
	DataDiskFiles []DataDiskFile `mapstructure:"data_disk_file" required:"false"`
	// Tags applied to the managed image and to the temporary disk.
	Tags map[string]string `mapstructure:"tags" required:"false"`

	// How many 4 MiB page writes run at once while uploading `source_file`. Defaults to 6, which keeps
	// the buffers within 24 MiB and the whole plugin process under 64 MiB; raise it on fast links with
	// high latency (each further write in flight costs 4 MiB of memory).
	UploadConcurrency int `mapstructure:"upload_concurrency" required:"false"`
	// Keep the temporary managed disk that `source_file` or `source_vhd_uri` is imported into, instead of
	// deleting it once the image exists.
	KeepTemporaryDisk bool `mapstructure:"keep_temporary_disk" required:"false"`
	// The name of the temporary managed disk. Defaults to `pkr-import-` plus a random suffix. The build
	// fails, changing nothing, if a disk of that name already exists.
	TempDiskName string `mapstructure:"temp_disk_name" required:"false"`

	ctx interpolate.Context
}
