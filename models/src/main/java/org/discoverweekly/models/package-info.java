/**
 * The recommender: feedback matrix, implicit ALS, heard-filtered ranking and evaluation. It works
 * on DataFrames handed to it and knows no tables, paths or configuration files.
 */
package org.discoverweekly.models;
