//! What individual families add to the generic handlers: computed Describe members (start and end
//! times, secondary statuses, counters), child training jobs of tuning jobs, endpoint variants, and the
//! Ground Truth list operations.

use serde_json::{json, Map, Value};

use sagegate_store::Tx;

use super::families::{family, Family};
use super::ops::{self, s, Out};
use super::records::{list_all, load, save, type_prefix, Resource};
use super::{Env, Fail};
use crate::ids::hex;

/// The member holding a job's end time, per family.
fn end_member(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "training-job" => "TrainingEndTime",
        "processing-job" => "ProcessingEndTime",
        "transform-job" => "TransformEndTime",
        "hyper-parameter-tuning-job" => "HyperParameterTuningEndTime",
        "automl-job" => "EndTime",
        _ => return None,
    })
}

fn start_member(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "training-job" => "TrainingStartTime",
        "processing-job" => "ProcessingStartTime",
        "transform-job" => "TransformStartTime",
        _ => return None,
    })
}

const TERMINAL: [&str; 3] = ["Completed", "Stopped", "Failed"];

pub fn on_create(env: &Env, tx: &mut dyn Tx, f: &Family, r: &mut Resource) -> Result<(), Fail> {
    match f.ty {
        "notebook-instance" => {
            r.doc.insert(
                "Url".into(),
                json!(format!("{}.notebook.{}.sagemaker.aws", r.name.to_lowercase(), env.region)),
            );
            if r.doc.contains_key("SubnetId") {
                r.doc.insert("NetworkInterfaceId".into(), json!(format!("eni-{}", hex(17))));
            }
            r.doc
                .entry("InstanceMetadataServiceConfiguration")
                .or_insert_with(|| json!({"MinimumInstanceMetadataServiceVersion": "2"}));
        }
        "hyper-parameter-tuning-job" => launch_tuning_children(env, tx, r)?,
        "labeling-job" => {
            r.doc.insert("JobReferenceCode".into(), json!(hex(24)));
            r.doc.insert(
                "LabelCounters".into(),
                json!({"TotalLabeled": 0, "HumanLabeled": 0, "MachineLabeled": 0, "FailedNonRetryableError": 0, "Unlabeled": 0}),
            );
        }
        "workteam" => {
            r.doc.insert("SubDomain".into(), json!(format!("{}.labeling.{}.sagemaker.aws", hex(10), env.region)));
            r.doc.insert("ProductListingIds".into(), json!([]));
        }
        "endpoint" => set_variants(env, tx, r)?,
        _ => {}
    }
    Ok(())
}

pub fn on_update(env: &Env, tx: &mut dyn Tx, f: &Family, r: &mut Resource) -> Result<(), Fail> {
    if f.ty == "endpoint" {
        set_variants(env, tx, r)?;
    }
    Ok(())
}

/// An endpoint shows its configuration's variants.
fn set_variants(env: &Env, tx: &mut dyn Tx, r: &mut Resource) -> Result<(), Fail> {
    let cfg = r.str("EndpointConfigName").unwrap_or_default().to_string();
    let Some(c) = load(tx, &env.scope.named("endpoint-config", &cfg))? else { return Ok(()) };
    let variants: Vec<Value> = c
        .get("ProductionVariants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| {
            let count = v.get("InitialInstanceCount").cloned().unwrap_or(json!(1));
            let weight = v.get("InitialVariantWeight").cloned().unwrap_or(json!(1.0));
            json!({
                "VariantName": v.get("VariantName").cloned().unwrap_or(json!("AllTraffic")),
                "DeployedImages": [],
                "CurrentWeight": weight, "DesiredWeight": weight,
                "CurrentInstanceCount": count, "DesiredInstanceCount": count,
            })
        })
        .collect();
    r.doc.insert("ProductionVariants".into(), Value::Array(variants));
    Ok(())
}

/// A tuning job launches its training job at once (one per definition), tagged with the tuning job's tags.
fn launch_tuning_children(env: &Env, tx: &mut dyn Tx, hpo: &Resource) -> Result<(), Fail> {
    let defs: Vec<Value> = match (hpo.get("TrainingJobDefinition"), hpo.get("TrainingJobDefinitions")) {
        (Some(d), _) => vec![d.clone()],
        (None, Some(Value::Array(ds))) => ds.clone(),
        _ => Vec::new(),
    };
    let Some(tj) = family("training-job") else { return Ok(()) };
    for (i, def) in defs.iter().enumerate() {
        let name = format!("{}-{:03}-{}", hpo.name, i + 1, hex(8));
        let mut doc = Map::new();
        for key in [
            "RoleArn",
            "AlgorithmSpecification",
            "InputDataConfig",
            "OutputDataConfig",
            "ResourceConfig",
            "VpcConfig",
            "StoppingCondition",
            "EnableNetworkIsolation",
        ] {
            if let Some(v) = def.get(key) {
                doc.insert(key.to_string(), v.clone());
            }
        }
        if let Some(v) = def.get("StaticHyperParameters") {
            doc.insert("HyperParameters".into(), v.clone());
        }
        doc.insert("TuningJobArn".into(), json!(hpo.arn));
        let arn = env.scope.named("training-job", &name);
        save(tx, &Resource::new(tj, name, arn, hpo.tags.clone(), doc, env.now, env.step))?;
    }
    Ok(())
}

/// The computed members of a family's Describe, from the resource alone (no store reads).
pub fn on_describe(env: &Env, f: &Family, r: &Resource, out: &mut Map<String, Value>) {
    let status = r.status(env.now).unwrap_or_default().to_string();
    let terminal = TERMINAL.contains(&status.as_str());
    if let Some(m) = start_member(f.ty) {
        out.insert(m.into(), json!(r.created));
    }
    if let (Some(m), true) = (end_member(f.ty), terminal) {
        out.insert(m.into(), json!(r.status_since(env.now)));
    }
    match f.ty {
        "training-job" => {
            let secondary = match status.as_str() {
                "InProgress" => "Training",
                other => other,
            };
            out.insert("SecondaryStatus".into(), json!(secondary));
            if status == "Completed" {
                if let Some(path) =
                    r.get("OutputDataConfig").and_then(|o| o.get("S3OutputPath")).and_then(Value::as_str)
                {
                    out.insert(
                        "ModelArtifacts".into(),
                        json!({"S3ModelArtifacts": format!("{}/{}/output/model.tar.gz", path.trim_end_matches('/'), r.name)}),
                    );
                }
                out.insert("BillableTimeInSeconds".into(), json!(r.status_since(env.now) - r.created));
            }
        }
        "hyper-parameter-tuning-job" => {
            let done = u64::from(status == "Completed");
            let stopped = u64::from(status == "Stopped");
            out.insert(
                "TrainingJobStatusCounters".into(),
                json!({"Completed": done, "InProgress": 1 - done - stopped, "RetryableError": 0, "NonRetryableError": 0, "Stopped": stopped}),
            );
            out.insert("ObjectiveStatusCounters".into(), json!({"Succeeded": done, "Pending": 1 - done, "Failed": 0}));
        }
        "automl-job" => {
            let secondary = match status.as_str() {
                "InProgress" => "Starting",
                "Stopping" => "Stopping",
                other => other,
            };
            out.insert("AutoMLJobSecondaryStatus".into(), json!(secondary));
        }
        "labeling-job" if status == "Completed" => {
            if let Some(path) = r.get("OutputConfig").and_then(|o| o.get("S3OutputPath")).and_then(Value::as_str) {
                out.insert(
                    "LabelingJobOutput".into(),
                    json!({"OutputDatasetS3Uri": format!("{}/{}/manifests/output/output.manifest", path.trim_end_matches('/'), r.name)}),
                );
            }
        }
        "human-task-ui" => {
            if let Some(content) = r.get("UiTemplate").and_then(|t| t.get("Content")).and_then(Value::as_str) {
                out.insert(
                    "UiTemplate".into(),
                    json!({"Url": format!("{}/sagegate/human-task-ui/{}", env.base_url, r.name), "ContentSha256": sagegate_sigv4::sha256_hex(content.as_bytes())}),
                );
            }
        }
        "workteam" => {
            if let Some(t) = out.remove("CreationTime") {
                out.insert("CreateDate".into(), t);
            }
            if let Some(t) = out.remove("LastModifiedTime") {
                out.insert("LastUpdatedDate".into(), t);
            }
        }
        "app" => {
            out.insert("LastHealthCheckTimestamp".into(), json!(env.now));
            out.insert("LastUserActivityTimestamp".into(), json!(r.modified));
        }
        _ => {}
    }
}

/// List summaries that name members differently from Describe.
pub fn summarize(f: &Family, d: &mut Map<String, Value>) {
    if f.ty == "space" {
        if let Some(t) = d.get("SpaceSharingSettings").and_then(|s| s.get("SharingType")).cloned() {
            d.insert("SpaceSharingSettingsSummary".into(), json!({"SharingType": t}));
        }
        if let Some(o) = d.get("OwnershipSettings").and_then(|s| s.get("OwnerUserProfileName")).cloned() {
            d.insert("OwnershipSettingsSummary".into(), json!({"OwnerUserProfileName": o}));
        }
    }
}

/// ListLabelingJobsForWorkteam: the labeling jobs that use a work team.
pub fn labeling_jobs_for_workteam(env: &Env, tx: &mut dyn Tx) -> Out {
    let team = s(&env.body, "WorkteamArn").unwrap_or_default().to_string();
    let Some(f) = family("labeling-job") else { return Ok(json!({"LabelingJobSummaryList": []})) };
    let jobs: Vec<Resource> = list_all(tx, &type_prefix(&env.region, "labeling-job"))?
        .into_iter()
        .filter(|r| {
            r.get("HumanTaskConfig").and_then(|h| h.get("WorkteamArn")).and_then(Value::as_str) == Some(team.as_str())
        })
        .collect();
    let docs: Vec<Map<String, Value>> = jobs.iter().map(|r| ops::describe_doc(env, tx, f, r)).collect();
    let (docs, next) = ops::sort_and_page(&env.body, "LabelingJobName", "LabelingJobStatus", docs)?;
    let items: Vec<Value> = docs
        .into_iter()
        .map(|d| {
            json!({
                "LabelingJobName": d.get("LabelingJobName"),
                "JobReferenceCode": d.get("JobReferenceCode"),
                "WorkRequesterAccountId": env.scope.account,
                "CreationTime": d.get("CreationTime"),
                "LabelCounters": {"HumanLabeled": 0, "PendingHuman": 0, "Total": 0},
                "NumberOfHumanWorkersPerDataObject": d.get("HumanTaskConfig").and_then(|h| h.get("NumberOfHumanWorkersPerDataObject")),
            })
        })
        .collect();
    let items: Vec<Value> = items.into_iter().map(strip_nulls).collect();
    let mut out = json!({"LabelingJobSummaryList": items});
    if let (Some(t), Some(o)) = (next, out.as_object_mut()) {
        o.insert("NextToken".into(), json!(t));
    }
    Ok(out)
}

/// ListTrainingJobsForHyperParameterTuningJob: the training jobs a tuning job launched.
pub fn training_jobs_for_tuning_job(env: &Env, tx: &mut dyn Tx) -> Out {
    let name = s(&env.body, "HyperParameterTuningJobName").unwrap_or_default().to_string();
    let hpo_arn = env.scope.named("hyper-parameter-tuning-job", &name);
    let Some(hpo_family) = family("hyper-parameter-tuning-job") else { return Ok(json!({"TrainingJobSummaries": []})) };
    if load(tx, &hpo_arn)?.is_none() {
        return Err(ops::missing(hpo_family, &hpo_arn, &name));
    }
    let Some(f) = family("training-job") else { return Ok(json!({"TrainingJobSummaries": []})) };
    let jobs: Vec<Resource> = list_all(tx, &type_prefix(&env.region, "training-job"))?
        .into_iter()
        .filter(|r| r.str("TuningJobArn") == Some(hpo_arn.as_str()))
        .collect();
    let docs: Vec<Map<String, Value>> = jobs.iter().map(|r| ops::describe_doc(env, tx, f, r)).collect();
    let (docs, next) = ops::sort_and_page(&env.body, "TrainingJobName", "TrainingJobStatus", docs)?;
    let items: Vec<Value> = docs
        .into_iter()
        .map(|d| {
            json!({
                "TrainingJobName": d.get("TrainingJobName"),
                "TrainingJobArn": d.get("TrainingJobArn"),
                "TuningJobName": name,
                "CreationTime": d.get("CreationTime"),
                "TrainingStartTime": d.get("TrainingStartTime"),
                "TrainingEndTime": d.get("TrainingEndTime"),
                "TrainingJobStatus": d.get("TrainingJobStatus"),
                "TunedHyperParameters": {},
            })
        })
        .collect();
    let items: Vec<Value> = items.into_iter().map(strip_nulls).collect();
    let mut out = json!({"TrainingJobSummaries": items});
    if let (Some(t), Some(o)) = (next, out.as_object_mut()) {
        o.insert("NextToken".into(), json!(t));
    }
    Ok(out)
}

/// Drops null members: clients parse a present member by its type, and null is no timestamp.
pub fn strip_nulls(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, x| !x.is_null());
    }
    v
}
