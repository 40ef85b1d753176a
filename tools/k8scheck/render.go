package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	componentsapi "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	configurationapi "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	resiliencyapi "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	subscriptionsapi "github.com/dapr/dapr/pkg/apis/subscriptions/v2alpha1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// object is one rendered resource, decoded into the type the API server (or
// Dapr's operator) would decode it into.
type object struct {
	Kind, Name, Namespace string
	Obj                   any
}

func (o object) String() string { return o.Kind + "/" + o.Name }

// newTyped returns a pointer to the Go type for apiVersion and kind, or nil when
// the checker knows no type for it (which is itself a finding: nothing unchecked
// reaches a cluster).
func newTyped(apiVersion, kind string) any {
	switch apiVersion + " " + kind {
	case "v1 Namespace":
		return &corev1.Namespace{}
	case "v1 Service":
		return &corev1.Service{}
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "v1 Secret":
		return &corev1.Secret{}
	case "v1 PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "apps/v1 StatefulSet":
		return &appsv1.StatefulSet{}
	case "batch/v1 Job":
		return &batchv1.Job{}
	case "batch/v1 CronJob":
		return &batchv1.CronJob{}
	case "networking.k8s.io/v1 Ingress":
		return &networkingv1.Ingress{}
	case "networking.k8s.io/v1 NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "rbac.authorization.k8s.io/v1 Role":
		return &rbacv1.Role{}
	case "rbac.authorization.k8s.io/v1 RoleBinding":
		return &rbacv1.RoleBinding{}
	case "dapr.io/v1alpha1 Component":
		return &componentsapi.Component{}
	case "dapr.io/v1alpha1 Configuration":
		return &configurationapi.Configuration{}
	case "dapr.io/v1alpha1 Resiliency":
		return &resiliencyapi.Resiliency{}
	case "dapr.io/v2alpha1 Subscription":
		return &subscriptionsapi.Subscription{}
	}
	return nil
}

// render builds the kustomization in dir as `kustomize build` does and decodes
// every resource strictly: a field the type does not have is an error, as it is
// for `kubectl apply --validate=strict`. Decoding problems come back as findings;
// err is for a kustomization that does not build at all.
func render(dir string) ([]object, []finding, error) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var objs []object
	var bad []finding
	for _, r := range m.Resources() {
		o := object{Kind: r.GetKind(), Name: r.GetName(), Namespace: r.GetNamespace()}
		raw, err := r.MarshalJSON()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o, err)
		}
		typed := newTyped(r.GetApiVersion(), o.Kind)
		if typed == nil {
			bad = append(bad, finding{"decode", o.String(), "no known type for apiVersion " + r.GetApiVersion() + " (the checker must know every kind it lets through)"})
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(typed); err != nil {
			bad = append(bad, finding{"decode", o.String(), err.Error()})
			continue
		}
		o.Obj = typed
		objs = append(objs, o)
	}
	return objs, bad, nil
}
