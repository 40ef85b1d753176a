package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	injectorconsts "github.com/dapr/dapr/pkg/injector/consts"
	"github.com/dapr/dapr/pkg/injector/patcher"
	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// installValues are the Dapr control-plane settings that change what the sidecar
// injector adds to a pod.
type installValues struct {
	// dapr_sidecar_injector.sidecarDropALLCapabilities
	DropALLCapabilities bool
	// dapr_sidecar_injector.sidecarRunAsNonRoot
	RunAsNonRoot bool
	// dapr_sidecar_injector.sidecarReadOnlyRootFilesystem
	ReadOnlyRootFilesystem bool
	// The control plane's namespace and the cluster's DNS domain.
	ControlPlaneNamespace, ClusterDomain string
	// The daprd image the injector adds (global.registry/tag in the chart).
	SidecarImage string
}

// chartDefaults are the Helm chart's values in dapr v1.18.1
// (charts/dapr/charts/dapr_sidecar_injector/values.yaml).
var chartDefaults = installValues{
	DropALLCapabilities:    false,
	RunAsNonRoot:           true,
	ReadOnlyRootFilesystem: true,
	ControlPlaneNamespace:  "dapr-system",
	ClusterDomain:          "cluster.local",
	SidecarImage:           "ghcr.io/dapr/daprd:1.18.1",
}

// withHelmSets applies the `--set dapr_sidecar_injector.<key>=<bool>` values
// the documentation installs Dapr with.
func (iv installValues) withHelmSets(sets map[string]string) installValues {
	for k, v := range sets {
		b := v == "true"
		switch k {
		case "dapr_sidecar_injector.sidecarDropALLCapabilities":
			iv.DropALLCapabilities = b
		case "dapr_sidecar_injector.sidecarRunAsNonRoot":
			iv.RunAsNonRoot = b
		case "dapr_sidecar_injector.sidecarReadOnlyRootFilesystem":
			iv.ReadOnlyRootFilesystem = b
		}
	}
	return iv
}

// inject returns the pod as Dapr's sidecar injector (v1.18.1, its own code)
// would admit it: unchanged unless it has dapr.io/enabled "true".
func inject(pod *corev1.Pod, iv installValues) (*corev1.Pod, error) {
	sc := patcher.NewSidecarConfig(pod)
	// The same assignments as the injector's getPodPatchOperations
	// (pkg/injector/service/pod_patch.go), from the install values.
	sc.Mode = injectorconsts.ModeKubernetes
	sc.Namespace = pod.Namespace
	sc.MTLSEnabled = true
	sc.Identity = pod.Namespace + ":" + pod.Spec.ServiceAccountName
	sc.ImagePullPolicy = corev1.PullIfNotPresent
	sc.OperatorAddress = patcher.ServiceAPI.Address(iv.ControlPlaneNamespace, iv.ClusterDomain)
	sc.SentryAddress = patcher.ServiceSentry.Address(iv.ControlPlaneNamespace, iv.ClusterDomain)
	sc.RunAsNonRoot = iv.RunAsNonRoot
	sc.ReadOnlyRootFilesystem = iv.ReadOnlyRootFilesystem
	sc.SidecarDropALLCapabilities = iv.DropALLCapabilities
	sc.ControlPlaneNamespace = iv.ControlPlaneNamespace
	sc.ControlPlaneTrustDomain = "cluster.local"
	sc.SentrySPIFFEID = "spiffe://cluster.local/ns/" + iv.ControlPlaneNamespace + "/dapr-sentry"
	sc.CurrentTrustAnchors = []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
	sc.KubeClusterDomain = iv.ClusterDomain
	sc.SchedulerEnabled = true
	sc.PlacementAddress = patcher.ServicePlacement.Address(iv.ControlPlaneNamespace, iv.ClusterDomain)
	sc.SidecarImage = iv.SidecarImage
	sc.SetFromPodAnnotations()

	ops, err := sc.GetPatch()
	if err != nil {
		return nil, fmt.Errorf("sidecar injector: %w", err)
	}
	if len(ops) == 0 {
		return pod, nil
	}
	doc, err := json.Marshal(pod)
	if err != nil {
		return nil, err
	}
	patched, err := ops.Apply(doc)
	if err != nil {
		return nil, fmt.Errorf("applying the injector's patch: %w", err)
	}
	out := &corev1.Pod{}
	if err := json.Unmarshal(patched, out); err != nil {
		return nil, err
	}
	return out, nil
}

// restricted evaluates pod against the Pod Security Standard "restricted" at the
// latest version, with the evaluator the API server's admission plugin uses. It
// returns the reasons the pod would be refused (none: admitted).
func restricted(pod *corev1.Pod) ([]string, error) {
	ev, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		return nil, err
	}
	res := policy.AggregateCheckResults(ev.EvaluatePod(
		psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()},
		&pod.ObjectMeta, &pod.Spec))
	if res.Allowed {
		return nil, nil
	}
	return []string{res.ForbiddenReason() + ": " + res.ForbiddenDetail()}, nil
}

// daprAnnotations is every pod annotation the 1.18.1 injector reads, taken from
// its own SidecarConfig.
func daprAnnotations() map[string]bool {
	known := map[string]bool{}
	t := reflect.TypeFor[patcher.SidecarConfig]()
	for i := range t.NumField() {
		if a := t.Field(i).Tag.Get("annotation"); a != "" {
			known[a] = true
		}
	}
	return known
}

// legacyAnnotations are read by 1.18 for compatibility but replaced.
var legacyAnnotations = map[string]string{
	"dapr.io/http-max-request-size": "dapr.io/max-body-size (e.g. \"16Mi\")",
	"dapr.io/http-read-buffer-size": "dapr.io/read-buffer-size",
	"dapr.io/app-ssl":               "dapr.io/app-protocol: https",
}

func isDaprAnnotation(k string) bool { return strings.HasPrefix(k, "dapr.io/") }
