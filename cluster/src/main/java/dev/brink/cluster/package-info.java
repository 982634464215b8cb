/**
 * Robustness evaluation sharded over Apache Spark: every (model, attack, epsilon, shard of the data set) is one Spark
 * task whose per-sample rows are written as Parquet and merged into the sweep CSV and HTML report that the
 * single-machine commands write.
 */
package dev.brink.cluster;
