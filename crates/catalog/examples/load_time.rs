//! Measures the catalog's start-up costs: the first `Catalog::get()` and the first use of each
//! lazily parsed part. Run in release mode:
//! `cargo run --release -p sagegate-catalog --example load_time`.
//! Every number is a first (cold) call in a fresh process, except the lines marked "warm".

use sagegate_catalog::{Catalog, NameKind};
use std::time::{Duration, Instant};

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    report(label, start.elapsed());
    out
}

fn report(label: &str, d: Duration) {
    println!("{:>10.3} ms  {label}", d.as_secs_f64() * 1000.0);
}

fn main() {
    let total = Instant::now();
    let catalog = time("Catalog::get() (parses sar-index.json only)", Catalog::get);
    time("first action lookup sagemaker:CreateTrainingJob (parses the sagemaker service)", || {
        catalog.action("sagemaker:CreateTrainingJob").map(|a| a.name)
    });
    time("warm action lookup sagemaker:describetrainingjob", || {
        catalog.action("sagemaker:describetrainingjob").map(|a| a.name)
    });
    time("first condition_key aws:SourceIp", || catalog.condition_key("aws:SourceIp"));
    time("first condition_key sagemaker:ResourceTag/Project (pattern)", || {
        catalog.condition_key("sagemaker:ResourceTag/Project")
    });
    time("expand sagemaker:Describe*", || catalog.expand_action_pattern("sagemaker:Describe*").len());
    time("first iam + sts lookups (parses 2 more services)", || {
        (catalog.action("iam:PassRole").is_some(), catalog.action("sts:AssumeRole").is_some())
    });
    report("=> what a policy check of SageMaker/IAM/STS actions needs", total.elapsed());

    time("did_you_mean sagemaker:CreateTraningJob", || {
        catalog.did_you_mean(NameKind::Action, "sagemaker:CreateTraningJob")
    });
    time("first managed_policy_by_arn AmazonSageMakerFullAccess (parses the policy table)", || {
        catalog.managed_policy_by_arn("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess").map(|p| p.version_id)
    });
    time("first operation sagemaker CreateTrainingJob (parses the sagemaker wire model)", || {
        catalog.operation("sagemaker", "CreateTrainingJob").map(|o| o.name)
    });
    time("expand * (parses all remaining services)", || catalog.expand_action_pattern("*").len());
    time("warm expand *", || catalog.expand_action_pattern("*").len());
    time("verify() (everything already parsed, plus iam/sts models)", || catalog.verify().is_ok());
    report("total", total.elapsed());
}
