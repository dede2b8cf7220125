package azuregallery

import (
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// redactingUi strips SAS query strings from every line before Packer core prints it: core filters only
// the secrets registered in its own process, not the plugin's LogSecretFilter.
type redactingUi struct{ packersdk.Ui }

func (u redactingUi) Say(s string)     { u.Ui.Say(azure.Redact(s)) }
func (u redactingUi) Message(s string) { u.Ui.Message(azure.Redact(s)) } //nolint:staticcheck // packersdk.Ui still declares Message
func (u redactingUi) Error(s string)   { u.Ui.Error(azure.Redact(s)) }
