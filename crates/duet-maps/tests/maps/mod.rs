mod graph;
mod templates;
mod transforms;
mod validate;
