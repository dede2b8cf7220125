package importer

import (
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

var runtimePoll = runtime.PollUntilDoneOptions{Frequency: 20 * time.Millisecond}
