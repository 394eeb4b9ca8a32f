mod graph;
mod packages;
mod templates;
mod transforms;
mod validate;
